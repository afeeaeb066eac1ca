import type { ResolvedCommand } from '../contracts/bulk-action.types';
import type { BulkStatus } from '../contracts/statuses';
import type { Queryable } from './database';

// What a rollback is planned from: the bulk response it undoes, as stored.
export interface RollbackParent {
  id: string;
  company_id: string;
  fleet_id: string | null;
  action: string;
  request: Record<string, unknown>;
  status: BulkStatus;
  completed_at: string | null;
  // Set when the parent is itself a rollback.
  rollback_of: string | null;
  rollback_command: ResolvedCommand | null;
}

const parentColumns = (table: string) =>
  ['id', 'company_id', 'fleet_id', 'action', 'request', 'status', 'completed_at', 'rollback_of', 'rollback_command']
    .map((column) => `${table}.${column}`)
    .join(', ');

export async function findRollbackParent(
  database: Queryable,
  companyId: string,
  id: string,
): Promise<RollbackParent | undefined> {
  const [row] = await database.query<RollbackParent>(
    `select ${parentColumns('b')} from bulk_responses b where b.company_id = $1 and b.id = $2`,
    [companyId, id],
  );
  return row;
}

// A parent's rollback (not a retry of it), whatever state it is in.
export async function findRollbackOf(
  database: Queryable,
  parentId: string,
): Promise<{ id: string; status: BulkStatus } | undefined> {
  const [row] = await database.query<{ id: string; status: BulkStatus }>(
    'select id, status from bulk_responses where rollback_of = $1 and parent_id = $1',
    [parentId],
  );
  return row;
}

// Rollouts that ended aborted with `rollback.on: abort` and whose rollback has not started yet:
// none recorded, or recorded and neither begun nor ended (its starter died in between).
export function listParentsAwaitingRollback(database: Queryable, limit: number): Promise<RollbackParent[]> {
  return database.query<RollbackParent>(
    `select ${parentColumns('b')} from bulk_responses b
      left join bulk_responses r on r.rollback_of = b.id and r.parent_id = b.id
      where b.status = 'aborted' and b.rollback_of is null and (b.request -> 'rollout' -> 'rollback' ->> 'on') = 'abort'
        and (r.id is null or (r.started_at is null and r.completed_at is null))
      order by b.completed_at limit $1`,
    [limit],
  );
}
