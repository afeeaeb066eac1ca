import { Context } from '@temporalio/activity';
import type { DeviceSource, ResolvedCommand } from '../contracts/bulk-action.types';
import type { Rollout } from '../contracts/fleet-action.schema';
import { commandExecutionId } from '../contracts/ids';
import type { SettingUndo } from '../contracts/rollback';
import type { CountsSnapshot, DeviceRef, LaunchOutcome } from '../contracts/rollout-model';
import { readCountsSnapshot } from '../registry/bulk-response-counts.repository';
import type { Database } from '../registry/database';
import { loadDeviceBatch } from '../registry/device-batch.repository';
import {
  dispatchDevices,
  expireDevices,
  hasConnectedDevices,
  listDeadlinesReached,
  nextDueAt,
  recordDispatchFailures,
  takeConnectedDevices,
  takeDueResends,
  type DispatchedRow,
  type WaitingDevice,
} from '../registry/device-dispatch.repository';
import { isOnline } from '../registry/device-eligibility';
import { recordDeviceResults, type DeviceResult } from '../registry/device-results.repository';
import { reasonToSkip } from '../registry/fleet-population';
import { settleUnreachedDevices, type UnreachedSettlement } from '../registry/unreached-devices';
import type { DeviceTransport } from '../transport/device-transport';
import { createCommandPayloads } from './command-payloads';
import { silentObserver, type EngineObserver } from './engine-observer';

// Whom a device action commands and with what; every activity of a rollout is given this.
export interface DispatchTarget {
  bulkResponseId: string;
  companyId: string;
  // For metrics: the action's name.
  action: string;
  command: ResolvedCommand;
}

export interface FleetPageInput {
  target: DispatchTarget;
  source: DeviceSource;
  rollout: Rollout | undefined;
  afterDeviceId: string | null;
  limit: number;
  stage: number;
  // A continuous rollout's sweep: also devices skipped before they last changed.
  sweep: boolean;
}

export interface FleetPage {
  devices: DeviceRef[];
  lastDeviceId: string | null;
  full: boolean;
  // Devices the bulk response never had before (a sweep adds them to its total).
  newDevices: number;
}

export interface CommandDevicesInput {
  target: DispatchTarget;
  devices: DeviceRef[];
  stage: number;
  deadlineMilliseconds: number;
  // The end of the maintenance window it is sent in: its deadline ends there at the latest.
  deadlineCap: number | null;
  firstResendOffset: number | null;
  skipOffline: boolean;
}

export interface TendInput {
  target: DispatchTarget;
  // While the rollout runs and is not paused: re-sends and last copies go out; never after a stop.
  publishing: boolean;
  resendOffsets: number[];
  graceMilliseconds: number;
  probedUpTo: number;
}

export interface TendResult {
  now: number;
  snapshot: CountsSnapshot;
  nextDueAt: number | null;
  connectedWaiting: boolean;
}

export function createDeviceDispatchActivities({
  database,
  transport,
  observer = silentObserver,
}: {
  database: Database;
  transport: DeviceTransport;
  observer?: EngineObserver | undefined;
}) {
  const payloadFor = createCommandPayloads(database);
  const publish = async (
    target: DispatchTarget,
    device: { device_id: string; deadline_at: Date; undo?: SettingUndo | null },
    issuedAt: Date,
  ) =>
    transport.publishCommand(
      { companyId: target.companyId, deviceId: device.device_id },
      {
        execution_id: commandExecutionId(target.bulkResponseId, device.device_id),
        kind: target.command.kind,
        name: target.command.name,
        payload: await payloadFor(target.command, device.undo),
        issued_at: issuedAt.toISOString(),
        expires_at: device.deadline_at.toISOString(),
      },
    );
  const publishAll = (target: DispatchTarget, devices: readonly WaitingDevice[], now: Date) =>
    Promise.all(devices.map((device) => publish(target, device, now)));

  return {
    // The next page of the fleet after the cursor, leaving out devices the bulk response already
    // has: ineligible ones are recorded `skipped` with their reason, the others are returned.
    async loadFleetPage(input: FleetPageInput): Promise<FleetPage> {
      const recorded = { bulkResponseId: input.target.bulkResponseId, ...(input.sweep ? { newcomers: true } : {}) };
      const rows = await loadDeviceBatch(
        database,
        input.source,
        input.target.companyId,
        input.afterDeviceId,
        input.limit,
        recorded,
      );
      const now = new Date();
      const skipped: DeviceResult[] = [];
      const devices: DeviceRef[] = [];
      for (const row of rows) {
        const reason = reasonToSkip(row, input.target.command, input.rollout, now);
        if (reason) skipped.push({ deviceId: row.id, uniqueId: row.unique_id, status: 'skipped', reason, attempts: 0 });
        else devices.push({ deviceId: row.id, uniqueId: row.unique_id });
      }
      await recordDeviceResults(database, input.target.bulkResponseId, skipped, input.stage);
      return {
        devices,
        lastDeviceId: rows.at(-1)?.id ?? null,
        full: rows.length === input.limit,
        newDevices: rows.filter((row) => !row.previously_skipped).length,
      };
    },

    // A gated stage's devices: eligible and online now, anywhere in the fleet, not yet reached.
    async loadStagePage(input: Omit<FleetPageInput, 'stage' | 'sweep'>): Promise<DeviceRef[]> {
      const devices: DeviceRef[] = [];
      const now = new Date();
      let after: string | null = null;
      while (devices.length < input.limit) {
        const recorded = { bulkResponseId: input.target.bulkResponseId };
        const rows = await loadDeviceBatch(database, input.source, input.target.companyId, after, 1_000, recorded);
        for (const row of rows) {
          if (devices.length === input.limit) break;
          if (!reasonToSkip(row, input.target.command, input.rollout, now) && isOnline(row, now))
            devices.push({ deviceId: row.id, uniqueId: row.unique_id });
        }
        if (rows.length < 1_000) break;
        after = rows.at(-1)!.id;
      }
      return devices;
    },

    // The devices a turn reaches: their rows say which are online now; the online ones get the
    // command. Outcomes in the order of `devices`. A retry or a replay finds the rows and sends the
    // same envelopes again (a device acts once).
    async commandDevices(input: CommandDevicesInput): Promise<LaunchOutcome[]> {
      const sentAt = new Date();
      const deadline = sentAt.getTime() + input.deadlineMilliseconds;
      const deadlineAt = new Date(input.deadlineCap === null ? deadline : Math.min(deadline, input.deadlineCap));
      const rows = await dispatchDevices(database, {
        bulkResponseId: input.target.bulkResponseId,
        companyId: input.target.companyId,
        deviceIds: input.devices.map((device) => device.deviceId),
        stage: input.stage,
        sentAt,
        deadlineAt,
        nextSendAt: input.firstResendOffset === null ? null : new Date(sentAt.getTime() + input.firstResendOffset),
        skipOffline: input.skipOffline,
        setting: input.target.command.setting,
      });
      const outcomes = input.devices.map(({ deviceId }) => launchOutcomeOf(rows.get(deviceId)!));
      const sent = [...rows]
        .filter(([, row]) => row.status === 'sent')
        .map(([deviceId, row]) => ({ device_id: deviceId, deadline_at: row.deadlineAt!, undo: row.undo }));
      // Every device is tried before a failure retries the turn's devices (each acts once).
      const published = await Promise.allSettled(sent.map((device) => publish(input.target, device, sentAt)));
      const failed = published.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      observer.devicesCommanded(sent.length);
      return outcomes;
    },

    async recordDispatchFailures(input: {
      target: DispatchTarget;
      devices: DeviceRef[];
      stage: number;
      message: string;
    }) {
      await recordDispatchFailures(database, input.target.bulkResponseId, input.devices, input.stage, input.message);
    },

    // Devices that were offline at dispatch and are online now: sent to, at most `limit`.
    async commandConnectedDevices(input: { target: DispatchTarget; limit: number; firstResendOffset: number | null }) {
      const now = new Date();
      const next = input.firstResendOffset === null ? null : new Date(now.getTime() + input.firstResendOffset);
      const devices = await takeConnectedDevices(database, input.target.bulkResponseId, input.limit, now, next);
      await publishAll(input.target, devices, now);
      observer.devicesCommanded(devices.length);
      return { sent: devices.length, more: devices.length === input.limit };
    },

    // The waiting devices' upkeep, from their rows: re-sends that are due, one last copy at each
    // deadline just reached (an answer lost on the way comes back), expiries, and when to look again.
    async tendWaitingDevices(input: TendInput): Promise<TendResult> {
      const now = new Date();
      const { bulkResponseId } = input.target;
      if (input.publishing) {
        await publishAll(input.target, await takeDueResends(database, bulkResponseId, now, input.resendOffsets), now);
        const reached = await listDeadlinesReached(database, bulkResponseId, new Date(input.probedUpTo), now);
        await publishAll(input.target, reached, now);
      }
      const expired = await expireDevices(database, bulkResponseId, now, input.graceMilliseconds);
      if (expired.length > 0) observer.devicesSettled(input.target.action, expired);
      const due = await nextDueAt(database, bulkResponseId, now, input.graceMilliseconds, input.publishing);
      return {
        now: now.getTime(),
        snapshot: await readCountsSnapshot(database, bulkResponseId),
        nextDueAt: due ? new Date(due).getTime() : null,
        connectedWaiting: input.publishing && (await hasConnectedDevices(database, bulkResponseId, now)),
      };
    },

    // A rollout that stopped: see settleUnreachedDevices. Long for a large fleet, so it heartbeats.
    async settleUnreached(input: UnreachedSettlement): Promise<CountsSnapshot> {
      await settleUnreachedDevices(database, input, (devices) => Context.current().heartbeat(devices));
      return readCountsSnapshot(database, input.bulkResponseId);
    },
  };
}

function launchOutcomeOf(row: DispatchedRow): LaunchOutcome {
  if (row.status === 'skipped') return 'gone';
  return row.status;
}
