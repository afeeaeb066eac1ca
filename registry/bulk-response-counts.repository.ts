import type { CountsSnapshot } from '../contracts/rollout-model';
import { deviceStatuses, emptyCounts, type BulkCounts } from '../contracts/statuses';
import type { Queryable } from './database';

interface CountsRow extends Omit<BulkCounts, 'total'> {
  bulk_response_id: string;
  stage: number;
  sent_entries: number;
  enqueued_entries: number;
  version: string;
}

const countedStatuses = deviceStatuses;

// The counts the database keeps from the device rows (migration 008), per stage, as the rollout
// model takes them. Nothing writes them but the rows' own triggers.
export async function readCountsSnapshots(
  database: Queryable,
  bulkResponseIds: readonly string[],
): Promise<Map<string, CountsSnapshot>> {
  const rows = await database.query<CountsRow>(
    `select bulk_response_id, stage, ${countedStatuses.join(', ')}, sent_entries, enqueued_entries, version
       from bulk_response_counts where bulk_response_id = any($1::text[])`,
    [bulkResponseIds],
  );
  const snapshots = new Map<string, CountsSnapshot>();
  for (const id of bulkResponseIds) snapshots.set(id, { version: 0, stages: {}, sentEntries: 0, enqueuedEntries: 0 });
  for (const row of rows) {
    const snapshot = snapshots.get(row.bulk_response_id)!;
    const counts = emptyCounts();
    for (const status of countedStatuses) counts[status] = row[status];
    snapshot.stages[row.stage] = counts;
    snapshot.version += Number(row.version);
    snapshot.sentEntries += row.sent_entries;
    snapshot.enqueuedEntries += row.enqueued_entries;
  }
  return snapshots;
}

export async function readCountsSnapshot(database: Queryable, bulkResponseId: string): Promise<CountsSnapshot> {
  return (await readCountsSnapshots(database, [bulkResponseId])).get(bulkResponseId)!;
}

// Counts over every stage, as one JSON object per bulk response, for record reads.
export const summedCountsSql = `(select jsonb_build_object(${countedStatuses
  .map((status) => `'${status}', coalesce(sum(counted.${status}), 0)`)
  .join(', ')}) from bulk_response_counts counted where counted.bulk_response_id = b.id)`;
