import { isDeviceAction, type ActionName } from '../contracts/action-catalogue';
import { executionAddressOf } from '../contracts/ids';
import { deviceStatuses, finalDeviceStatuses, type BulkCounts } from '../contracts/statuses';
import { summedCountsSql } from '../registry/bulk-response-counts.repository';
import type { Queryable } from '../registry/database';
import type { CommandExecutionLog } from '../simulator/command-log';
import type { AckTap } from './ack-tap';
import { finalStatusChanges } from './final-once-witness';

// What a rollout did, from independent witnesses: the registry's per-device rows (the engine's
// truth) and the counts it keeps from them, the simulator's own log of the commands its devices
// acted on, the acknowledgements the devices sent (ack tap), and the registry's final-once
// witness. A device that acted must be counted success or fail, once; counts must be the rows.

export interface RolloutTally {
  bulkResponseId: string;
  status: string;
  statusReason: string | null;
  counts: BulkCounts;
  durationSeconds: number;
  // Devices of the fleet without a final result (no row, or a row still sent/enqueued/in_progress).
  notFinal: number;
  // Statuses whose count differs from the rows, e.g. "success: counts 10, rows 9".
  countsNotRows: string[];
  // Devices whose row left a final status (the registry's witness): each must be final once.
  finalTwice: number;
  // Devices the simulator acted on for this rollout.
  simulatorActs: number;
  // Devices seen acting (simulator or ack tap) whose result is not success or fail: a lost answer.
  lost: number;
  // The lost devices (at most 50), for a look: when they received and acted, and their row.
  lostDevices: LostDevice[];
  // Devices seen acting more than once for this rollout (ack tap).
  actedTwice: number;
  // Simulator acts that no success or fail accounts for (0 when every act was counted once; for a
  // registry action, any act at all).
  unaccountedActs: number;
}

export interface LostDevice {
  deviceId: string;
  receivedAt: string[];
  actedAt: string | null;
  actedAtMilliseconds: number | null;
  row: Record<string, unknown> | null;
}

export interface TallyWitnesses {
  database: Queryable;
  // The simulator's log of this rollout's executions (SimulatedFleet.executions).
  executions: readonly CommandExecutionLog[];
  ackTap?: AckTap | undefined;
}

export async function tallyRollout(
  witnesses: TallyWitnesses,
  bulkResponseId: string,
  fleetSize: number,
): Promise<RolloutTally> {
  const { database } = witnesses;
  const [record] = await database.query<{
    action: ActionName;
    status: string;
    status_reason: { code: string } | null;
    total: number;
    counts: Omit<BulkCounts, 'total'> | null;
    duration: number | null;
  }>(
    `select b.action, b.status, b.status_reason, b.total, ${summedCountsSql} as counts,
            extract(epoch from b.completed_at - b.created_at)::float8 as duration
       from bulk_responses b where b.id = $1`,
    [bulkResponseId],
  );
  if (!record) throw new Error(`bulk response ${bulkResponseId} not found`);
  const rows = await database.query<{ device_id: string; status: string }>(
    'select device_id, status from bulk_response_devices where bulk_response_id = $1',
    [bulkResponseId],
  );
  const counts = { ...countsOf(record.counts), total: record.total };
  const answered = new Set(
    rows.filter((row) => row.status === 'success' || row.status === 'fail').map((row) => row.device_id),
  );
  const actedDevices = new Set(witnesses.ackTap?.devicesActed(bulkResponseId) ?? []);
  const acts = witnesses.executions.filter((execution) => execution.actedAt !== undefined);
  for (const act of acts) actedDevices.add(executionAddressOf(act.executionId)?.deviceId ?? act.executionId);
  const final = new Set<string>(finalDeviceStatuses);
  const lost = [...actedDevices].filter((deviceId) => !answered.has(deviceId));
  return {
    bulkResponseId,
    status: record.status,
    statusReason: record.status_reason?.code ?? null,
    counts,
    durationSeconds: record.duration ?? Number.NaN,
    notFinal: fleetSize - rows.filter((row) => final.has(row.status)).length,
    countsNotRows: countsNotRows(counts, rows),
    finalTwice: new Set((await finalStatusChanges(database, bulkResponseId)).map((change) => change.device_id)).size,
    simulatorActs: acts.length,
    lost: lost.length,
    lostDevices: await describeLost(database, bulkResponseId, lost.slice(0, 50), witnesses.executions),
    actedTwice: witnesses.ackTap?.acts(bulkResponseId).actedTwice ?? 0,
    // A registry action's success commands no device.
    unaccountedActs: isDeviceAction(record.action) ? acts.length - (counts.success + counts.fail) : acts.length,
  };
}

function countsOf(summed: Omit<BulkCounts, 'total'> | null): Omit<BulkCounts, 'total'> {
  return Object.fromEntries(deviceStatuses.map((status) => [status, summed?.[status] ?? 0])) as Omit<
    BulkCounts,
    'total'
  >;
}

function countsNotRows(counts: BulkCounts, rows: readonly { status: string }[]): string[] {
  const differences: string[] = [];
  for (const status of deviceStatuses) {
    if (status === 'pending') continue;
    const rowCount = rows.filter((row) => row.status === status).length;
    if (counts[status] !== rowCount) differences.push(`${status}: counts ${counts[status]}, rows ${rowCount}`);
  }
  return differences;
}

// The tally's verdict, for asserting: everything that should be zero, with its name. Answers
// lost in a way the caller knows is expected (`toleratedLost` devices, each an act not counted)
// are left out.
export function tallyProblems(tally: RolloutTally, toleratedLost = 0): string[] {
  const problems = [...tally.countsNotRows];
  const zero = { notFinal: tally.notFinal, finalTwice: tally.finalTwice, actedTwice: tally.actedTwice };
  for (const [name, value] of Object.entries(zero)) if (value !== 0) problems.push(`${name}: ${value}`);
  if (tally.lost !== toleratedLost) problems.push(`lost: ${tally.lost}`);
  if (tally.unaccountedActs !== toleratedLost) problems.push(`unaccountedActs: ${tally.unaccountedActs}`);
  return problems;
}

async function describeLost(
  database: Queryable,
  bulkResponseId: string,
  deviceIds: readonly string[],
  executions: readonly CommandExecutionLog[],
): Promise<LostDevice[]> {
  if (deviceIds.length === 0) return [];
  const rows = await database.query<Record<string, unknown> & { device_id: string }>(
    `select device_id, status, attempts, sent_at, deadline_at, next_send_at, acknowledged_at, updated_at, message
       from bulk_response_devices where bulk_response_id = $1 and device_id = any($2::text[])`,
    [bulkResponseId, deviceIds],
  );
  const clock = (at: number) => new Date(at).toISOString();
  return deviceIds.map((deviceId) => {
    const log = executions.find((execution) => executionAddressOf(execution.executionId)?.deviceId === deviceId);
    return {
      deviceId,
      receivedAt: (log?.receivedAt ?? []).map(clock),
      actedAt: log?.actedAt === undefined ? null : clock(log.actedAt),
      actedAtMilliseconds: log?.actedAt ?? null,
      row: rows.find((row) => row.device_id === deviceId) ?? null,
    };
  });
}
