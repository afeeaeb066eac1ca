import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../activities/create-activities';
import { silentObserver } from '../activities/engine-observer';
import type { BulkActionInput } from '../contracts/bulk-action.types';
import type { DeviceStatus } from '../contracts/statuses';
import { insertBulkResponse } from '../registry/bulk-responses.repository';
import { rolloutsWaitingFor } from '../registry/device-dispatch.repository';
import { createPresenceRecorder } from '../transport/presence-recorder';
import { createAnswerRecorder } from '../worker/answer-recorder';
import { createRolloutSignals } from '../worker/rollout-signals';
import type { rolloutWorkflow } from '../workflows/rollout.workflow';
import { insertCompanyWithDevices, silentLogger } from './device-fixtures';
import { FakeDeviceTransport } from './fake-device-transport';
import type { TestDatabase } from './test-database';

export type RolloutHandle = WorkflowHandleWithFirstExecutionRunId<typeof rolloutWorkflow>;

export interface DeviceRow {
  device_id: string;
  status: DeviceStatus;
  reason: string | null;
  message: string | null;
  attempts: number;
  stage: number;
  sent_at: Date | null;
  deadline_at: Date | null;
  acknowledged_at: Date | null;
  updated_at: Date;
}

export type Fleet = Awaited<ReturnType<typeof openFleet>>;

// A fleet of `count` devices (a company of its own) with a worker on its own task queue over the
// real activities, the real answer recorder and rollout signals, and a FakeDeviceTransport the
// caller scripts. Tests open one per test; scripts/record-histories.ts one per recording.
export async function openFleet(options: {
  environment: TestWorkflowEnvironment;
  database: TestDatabase;
  workflowBundle: WorkflowBundleWithSourceMap;
  taskQueue: string;
  count: number;
  offline?: (index: number) => boolean;
}) {
  const { environment, database, taskQueue, count } = options;
  const offline = options.offline ?? (() => false);
  const { companyId, devices } = await insertCompanyWithDevices(database, count);
  const deviceIds = devices.map((device) => device.deviceId).sort();
  const transport = new FakeDeviceTransport();
  const signals = createRolloutSignals(environment.client, database, silentLogger);
  const recorder = createAnswerRecorder({
    database,
    transport: () => transport,
    signals,
    observer: silentObserver,
    logger: silentLogger,
  });
  transport.onAcknowledgement = (received) => recorder.record(received);
  // Presence as the worker records it: devices that connect wake the rollouts holding their
  // commands, devices heard alive confirm their health.
  const presence = createPresenceRecorder({
    database,
    logger: silentLogger,
    onDevicesConnected: async (ids) => signals.devicesConnected(await rolloutsWaitingFor(database, ids)),
    onDevicesAlive: (sightings) => recorder.alive(sightings),
  });
  const sayPresence = async (ids: readonly string[], online: boolean) => {
    for (const deviceId of ids) presence.recordPresence({ companyId, deviceId, online, receivedAt: new Date() });
    await presence.flush();
  };
  const worker = await Worker.create({
    connection: environment.nativeConnection,
    taskQueue,
    workflowBundle: options.workflowBundle,
    activities: createActivities({ database, transport }),
  });
  const running = worker.run();

  // Online: heard from now, with a heartbeat period long enough to stay online for the test
  // (also across days of skipped workflow time: the registry's clock is the real one).
  const setOnline = async (ids: readonly string[], online: boolean) => {
    await database.query(
      `update devices set last_seen_at = case when $2 then now() end, heartbeat_period = 100000000
        where id = any($1::text[])`,
      [ids, online],
    );
    transport.setOnline(ids, online);
  };
  await setOnline(
    deviceIds.filter((_, index) => !offline(index)),
    true,
  );
  await setOnline(
    deviceIds.filter((_, index) => offline(index)),
    false,
  );

  const fleet = {
    companyId,
    deviceIds,
    transport,
    taskQueue,
    environment,
    database,
    // Devices connect as they would through the broker: they say so (presence), and the rollouts
    // holding a command for them hear it.
    connect: async (ids: readonly string[]) => {
      await setOnline(ids, true);
      await sayPresence(ids, true);
    },
    disconnect: async (ids: readonly string[]) => {
      await setOnline(ids, false);
      await sayPresence(ids, false);
    },
    // The stored record first, as the API writes it, then the execution.
    start: async (input: BulkActionInput): Promise<RolloutHandle> => {
      await insertBulkResponse(database, {
        id: input.bulkResponseId,
        companyId,
        fleetId: input.fleetId,
        action: input.request.action,
        request: input.request,
        createdBy: null,
      });
      return environment.client.workflow.start<typeof rolloutWorkflow>('rolloutWorkflow', {
        taskQueue,
        workflowId: input.bulkResponseId,
        args: [input],
      });
    },
    rows: (bulkResponseId: string) =>
      database.query<DeviceRow>(
        `select device_id, status, reason, message, attempts, stage, sent_at, deadline_at, acknowledged_at, updated_at
           from bulk_response_devices where bulk_response_id = $1 order by device_id`,
        [bulkResponseId],
      ),
    close: async () => {
      worker.shutdown();
      await running;
      await transport.close();
      await recorder.close();
      await presence.close();
      await signals.close();
    },
  };
  return fleet;
}
