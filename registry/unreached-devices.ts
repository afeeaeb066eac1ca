import type { DeviceSource, ResolvedCommand } from '../contracts/bulk-action.types';
import type { Rollout } from '../contracts/fleet-action.schema';
import type { Queryable } from './database';
import { loadDeviceBatch } from './device-batch.repository';
import { cancelWaitingDevices, recordDeviceResults, type DeviceResult } from './device-results.repository';
import { reasonToSkip } from './fleet-population';

const pageSize = 2_000;

export interface UnreachedSettlement {
  bulkResponseId: string;
  companyId: string;
  source: DeviceSource;
  // Undefined for a registry action: only an inactive device would have been skipped.
  command: ResolvedCommand | undefined;
  rollout: Rollout | undefined;
  stage: number;
  // Devices still waiting for an answer end canceled too (their late answers are not taken).
  cancelWaiting: boolean;
  message: string;
}

// A rollout that stopped (by itself, or its execution ended outside its code): devices offline at
// dispatch, never sent to, end `canceled`; devices never reached get a row, `skipped` with their
// reason when they would not have received the action, else `canceled`. Devices that have the
// command keep waiting for their answer until their deadline, unless `cancelWaiting`.
export async function settleUnreachedDevices(
  database: Queryable,
  settlement: UnreachedSettlement,
  onPage: (devices: number) => void = () => undefined,
): Promise<void> {
  const { bulkResponseId, companyId } = settlement;
  await cancelWaitingDevices(database, bulkResponseId, settlement.message, settlement.cancelWaiting);
  const now = new Date();
  for (;;) {
    const rows = await loadDeviceBatch(database, settlement.source, companyId, null, pageSize, { bulkResponseId });
    const results = rows.map((row): DeviceResult => {
      const reason = reasonToSkip(row, settlement.command, settlement.rollout, now);
      const base = { deviceId: row.id, uniqueId: row.unique_id, attempts: 0 };
      return reason
        ? { ...base, status: 'skipped', reason }
        : { ...base, status: 'canceled', message: settlement.message };
    });
    await recordDeviceResults(database, bulkResponseId, results, settlement.stage);
    onPage(results.length);
    if (rows.length < pageSize) return;
  }
}
