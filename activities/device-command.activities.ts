import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { DeviceAnswer, DeviceSource, ResolvedCommand } from '../contracts/bulk-action.types';
import type { Rollout } from '../contracts/fleet-action.schema';
import { commandExecutionId } from '../contracts/ids';
import type { Database, Queryable } from '../registry/database';
import { loadDeviceBatch, recordAppliedSetting } from '../registry/device-batch.repository';
import type { RecordedFilter } from '../registry/device-page';
import { claimDevices, recordDeviceResults, type DeviceResult } from '../registry/device-results.repository';
import type { DeviceTransport } from '../transport/device-transport';
import { publishConfigurations } from './device-configuration';
import { silentObserver, type EngineObserver } from './engine-observer';
import { isOnline, skipReasonOf } from '../registry/device-eligibility';

export interface PrepareBatchInput {
  bulkResponseId: string;
  companyId: string;
  source: DeviceSource;
  command: ResolvedCommand;
  rollout: Rollout | undefined;
  afterDeviceId: string | null;
  limit: number;
  // Leave out devices that already have a result in this bulk response (canary, crash recovery).
  excludeRecorded?: boolean;
  // The canary: only devices eligible and online now, up to `limit`, wherever they are in the
  // fleet; nothing is recorded for the others (the main pass walks them).
  onlineOnly?: boolean;
  // The batch that takes the devices (its workflow id): they get a `pending` row naming it.
  claimFor?: string;
  // A continuous rollout's sweep: also devices skipped before they last changed.
  newcomers?: boolean;
}

export interface BatchDevice {
  deviceId: string;
  uniqueId: string;
  online: boolean;
}

export interface PreparedBatch {
  devices: BatchDevice[];
  // Devices skipped now that the bulk response never had before.
  skipped: number;
  // Devices the bulk response never had before (a sweep adds them to its total).
  newDevices?: number;
  // Devices skipped earlier that receive the action now.
  reconsidered?: number;
  lastDeviceId: string | null;
  deviceCount: number;
}

export interface DeviceCommandInput {
  bulkResponseId: string;
  batchWorkflowId: string;
  companyId: string;
  device: BatchDevice;
  command: ResolvedCommand;
  expiresAt: string;
  // Which send this is (the rollout workflow re-sends within the deadline); absent: the
  // activity's own attempt number, as the first workflow generation counted.
  attempt?: number;
}

const canaryScanPageSize = 1000;

export function createDeviceCommandActivities({
  database,
  transport,
  observer = silentObserver,
}: {
  database: Database;
  transport: DeviceTransport;
  observer?: EngineObserver | undefined;
}) {
  return {
    // Loads the next batch, records every ineligible device as skipped with its reason, takes the
    // others for this batch (so no later sweep takes them too), and returns those to command.
    async prepareDeviceBatch(input: PrepareBatchInput): Promise<PreparedBatch> {
      return database.transaction(async (transaction) => {
        const prepared = input.onlineOnly
          ? await prepareCanary(transaction, input)
          : await preparePage(transaction, input);
        if (input.claimFor) await claimDevices(transaction, input.bulkResponseId, input.claimFor, prepared.devices);
        return prepared;
      });
    },

    // Publishes the command and returns without completing: the device's acknowledgement
    // completes this activity (worker/acknowledgement-completer.ts), so no slot is held meanwhile.
    async executeDeviceCommand(input: DeviceCommandInput): Promise<DeviceAnswer> {
      await publishAndRecord(database, transport, input, input.attempt ?? Context.current().info.attempt);
      observer.devicesCommanded(1);
      throw new CompleteAsyncError();
    },

    // A re-send while the device's command activity keeps waiting: the same envelope (same
    // execution id, so the device acts once), and the device's row counts the send.
    async resendDeviceCommand(input: DeviceCommandInput & { attempt: number }): Promise<void> {
      await publishAndRecord(database, transport, input, input.attempt);
    },

    // A device that acknowledged a setting now runs it: recorded with the results, then pushed
    // to the device as part of its retained configuration.
    async recordBatchResults(input: {
      bulkResponseId: string;
      companyId: string;
      results: DeviceResult[];
      appliedSetting?: { settingId: string; version: number };
      // For metrics only.
      action?: string;
    }): Promise<void> {
      const configured = await database.transaction(async (transaction) => {
        await recordDeviceResults(transaction, input.bulkResponseId, input.results);
        if (!input.appliedSetting) return [];
        const applied = input.results.filter((result) => result.status === 'success').map((result) => result.deviceId);
        return recordAppliedSetting(transaction, applied, input.appliedSetting);
      });
      await publishConfigurations(transport, input.companyId, configured);
      observer.devicesSettled(input.action ?? 'unknown', input.results);
    },
  };
}

async function preparePage(database: Queryable, input: PrepareBatchInput): Promise<PreparedBatch> {
  const recorded: RecordedFilter | undefined = input.excludeRecorded
    ? {
        bulkResponseId: input.bulkResponseId,
        ...(input.claimFor ? { claimedBy: input.claimFor } : {}),
        ...(input.newcomers ? { newcomers: true } : {}),
      }
    : undefined;
  const rows = await loadDeviceBatch(
    database,
    input.source,
    input.companyId,
    input.afterDeviceId,
    input.limit,
    recorded,
  );
  const now = new Date();
  const prepared: Required<PreparedBatch> = {
    devices: [],
    skipped: 0,
    newDevices: 0,
    reconsidered: 0,
    lastDeviceId: rows.at(-1)?.id ?? null,
    deviceCount: rows.length,
  };
  const skipped: DeviceResult[] = [];
  for (const row of rows) {
    const reason = skipReasonOf(row, input.command, input.rollout, now);
    // A device skipped earlier and still ineligible is written again (its row's time moves past
    // the device's change, so it stops counting as new) but counted only once.
    if (reason) skipped.push({ deviceId: row.id, uniqueId: row.unique_id, status: 'skipped', reason, attempts: 0 });
    if (row.previously_skipped) {
      if (!reason) prepared.reconsidered += 1;
    } else {
      prepared.newDevices += 1;
      if (reason) prepared.skipped += 1;
    }
    if (!reason) prepared.devices.push({ deviceId: row.id, uniqueId: row.unique_id, online: isOnline(row, now) });
  }
  await recordDeviceResults(database, input.bulkResponseId, skipped);
  return prepared;
}

async function prepareCanary(database: Queryable, input: PrepareBatchInput): Promise<PreparedBatch> {
  const devices: BatchDevice[] = [];
  const now = new Date();
  let after: string | null = null;
  while (devices.length < input.limit) {
    const rows = await loadDeviceBatch(database, input.source, input.companyId, after, canaryScanPageSize);
    for (const row of rows) {
      if (devices.length === input.limit) break;
      if (!skipReasonOf(row, input.command, input.rollout, now) && isOnline(row, now))
        devices.push({ deviceId: row.id, uniqueId: row.unique_id, online: true });
    }
    if (rows.length < canaryScanPageSize) break;
    after = rows.at(-1)?.id ?? null;
  }
  const lastDeviceId = devices.at(-1)?.deviceId ?? null;
  return {
    devices,
    skipped: 0,
    newDevices: devices.length,
    reconsidered: 0,
    lastDeviceId,
    deviceCount: devices.length,
  };
}

async function publishAndRecord(
  database: Database,
  transport: DeviceTransport,
  input: DeviceCommandInput,
  attempts: number,
): Promise<void> {
  const { device, command } = input;
  await transport.publishCommand(
    { companyId: input.companyId, deviceId: device.deviceId },
    {
      execution_id: commandExecutionId(input.batchWorkflowId, device.deviceId),
      kind: command.kind,
      name: command.name,
      payload: command.payload,
      issued_at: new Date().toISOString(),
      expires_at: input.expiresAt,
    },
  );
  const status = device.online ? 'sent' : 'enqueued';
  await recordDeviceResults(database, input.bulkResponseId, [
    { deviceId: device.deviceId, uniqueId: device.uniqueId, status, attempts },
  ]);
}
