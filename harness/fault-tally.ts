import { finalDeviceStatuses, type BulkCounts } from '../contracts/statuses';
import type { Queryable } from '../registry/database';
import type { AckTap } from './ack-tap';

// What a rollout did, from three independent witnesses: the registry's per-device rows (the
// engine's truth), the simulator's own count of commands executed, and the acknowledgements
// the devices sent (ack tap). A device that acted must be counted success or fail, once.

export interface RolloutTally {
  bulkResponseId: string;
  status: string;
  counts: BulkCounts;
  durationSeconds: number;
  // Devices of the fleet without a final result (no row, or a row still sent/enqueued/pending).
  notFinal: number;
  // Commands the simulator executed during the rollout.
  simulatorActs: number;
  // Devices seen acting (ack tap) whose result is not success or fail: an answer the engine lost.
  lost: number;
  // Devices seen acting more than once for this rollout (ack tap).
  actedTwice: number;
  // Simulator executions that no success or fail accounts for (0 when every act was counted once).
  unaccountedActs: number;
}

export async function tallyRollout(
  database: Queryable,
  ackTap: AckTap,
  bulkResponseId: string,
  fleetSize: number,
  simulatorActs: number,
): Promise<RolloutTally> {
  const [record] = await database.query<{ status: string; counts: BulkCounts; duration: number }>(
    `select status, counts, extract(epoch from completed_at - created_at)::float8 as duration
       from bulk_responses where id = $1`,
    [bulkResponseId],
  );
  if (!record) throw new Error(`bulk response ${bulkResponseId} not found`);
  const rows = await database.query<{ device_id: string; status: string }>(
    'select device_id, status from bulk_response_devices where bulk_response_id = $1',
    [bulkResponseId],
  );
  const final = new Set<string>(finalDeviceStatuses);
  const answered = new Set(
    rows.filter((row) => row.status === 'success' || row.status === 'fail').map((row) => row.device_id),
  );
  const acted = ackTap.devicesActed(bulkResponseId);
  return {
    bulkResponseId,
    status: record.status,
    counts: record.counts,
    durationSeconds: record.duration,
    notFinal: fleetSize - rows.filter((row) => final.has(row.status)).length,
    simulatorActs,
    lost: [...acted].filter((deviceId) => !answered.has(deviceId)).length,
    actedTwice: ackTap.acts(bulkResponseId).actedTwice,
    unaccountedActs: simulatorActs - (record.counts.success + record.counts.fail),
  };
}
