import { after, before } from 'node:test';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/create-activities';
import { silentObserver } from '../../activities/engine-observer';
import { loadConfig } from '../../config/config';
import type { BulkActionInput } from '../../contracts/bulk-action.types';
import { insertBulkResponse } from '../../registry/bulk-responses.repository';
import type { DeviceStatus } from '../../contracts/statuses';
import { createAnswerRecorder } from '../../worker/answer-recorder';
import { watchConnectedDevices } from '../../worker/connected-devices';
import { createRolloutSignals } from '../../worker/rollout-signals';
import type { rolloutWorkflow } from '../../workflows/rollout.workflow';
import { FakeDeviceTransport } from './fake-device-transport';
import { insertCompanyWithDevices, silentLogger } from './transport-fixtures';
import { openTestDatabase, type TestDatabase } from '../../harness/test-database';
import { sharedWorkflowBundle } from './workflow-bundle';

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

// Which server a suite runs on: the dev server in real time (device deadlines of seconds), or the
// time-skipping test server (windows, start_at and sweeps hours or days ahead).
export type ServerKind = 'dev-server' | 'time-skipping';

let runtimeInstalled = false;

// One test registry and one Temporal server for the enclosing `describe`; each test takes a fleet
// of its own (a company, its devices, a worker on a task queue of its own), so tests never meet.
// Everything the engine runs is real — workflows, activities, the registry's SQL, the answer
// recorder and the rollout signals — except the devices: a FakeDeviceTransport the test scripts.
export function rolloutHarness(kind: ServerKind, options: { serverArgs?: string[] } = {}) {
  let environment: TestWorkflowEnvironment | undefined;
  let database: TestDatabase | undefined;
  let fleets = 0;
  before(async () => {
    if (!runtimeInstalled) Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
    const { temporal } = loadConfig();
    database = await openTestDatabase();
    environment =
      kind === 'time-skipping'
        ? await TestWorkflowEnvironment.createTimeSkipping({
            server: { executable: { type: 'existing-path', path: temporal.testServerPath } },
          })
        : await TestWorkflowEnvironment.createLocal({
            server: {
              executable: { type: 'existing-path', path: temporal.cliPath },
              ui: false,
              ...(options.serverArgs ? { extraArgs: options.serverArgs } : {}),
            },
          });
  });
  after(async () => {
    await environment?.teardown();
    await database?.close();
  });
  const started = () => {
    if (!environment || !database) throw new Error('the harness is not started yet (use it inside a test)');
    return { environment, database };
  };
  return {
    get environment() {
      return started().environment;
    },
    get database() {
      return started().database;
    },
    // `count` devices, online unless `offline` says otherwise, with a worker running for them.
    fleet: async (count: number, fleetOptions: { offline?: (index: number) => boolean } = {}) => {
      const { environment: server, database: registry } = started();
      return openFleet(server, registry, `fleet-${(fleets += 1)}`, count, fleetOptions.offline ?? (() => false));
    },
  };
}

export type Fleet = Awaited<ReturnType<typeof openFleet>>;

async function openFleet(
  environment: TestWorkflowEnvironment,
  database: TestDatabase,
  taskQueue: string,
  count: number,
  offline: (index: number) => boolean,
) {
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
  const connected = watchConnectedDevices({ database, signals, logger: silentLogger });
  const worker = await Worker.create({
    connection: environment.nativeConnection,
    taskQueue,
    workflowBundle: await sharedWorkflowBundle(),
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
    // Devices connect as they would through the broker: presence first, then the rollouts holding
    // a command for them hear it (worker/connected-devices.ts).
    connect: async (ids: readonly string[]) => {
      await setOnline(ids, true);
      for (const id of ids) connected.seen(id);
    },
    disconnect: (ids: readonly string[]) => setOnline(ids, false),
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
      await connected.close();
      await signals.close();
    },
  };
  return fleet;
}

// Runs `work` with a fresh fleet and always stops its worker, whatever the test's outcome.
export async function withFleet<T>(
  harness: ReturnType<typeof rolloutHarness>,
  count: number,
  options: { offline?: (index: number) => boolean },
  work: (fleet: Fleet) => Promise<T>,
): Promise<T> {
  const fleet = await harness.fleet(count, options);
  try {
    return await work(fleet);
  } finally {
    await fleet.close();
  }
}
