import type { StatusReason } from '../contracts/bulk-action.types';
import type { BulkCounts, BulkStatus } from '../contracts/statuses';
import { emptyCounts, finalDeviceStatuses } from '../contracts/statuses';
import type { Queryable } from './database';

export interface BulkResponseRecord {
  _id: string;
  company_id: string;
  fleet_id: string | null;
  parent_id: string | null;
  action: string;
  request: Record<string, unknown>;
  status: BulkStatus;
  status_reason: StatusReason | null;
  counts: BulkCounts;
  // While it runs: what it waits for, as of the last saved progress.
  waiting_for: string | null;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  updated_at: string;
  completed_at: string | null;
}

const recordColumns = `id as "_id", company_id, fleet_id, parent_id, action, request, status, status_reason, counts,
  waiting_for, created_by, created_at, started_at, updated_at, completed_at`;

export interface NewBulkResponse {
  id: string;
  companyId: string;
  fleetId: string | null;
  parentId?: string | null;
  action: string;
  request: unknown;
  createdBy: string | null;
}

// Written by the API after it started the execution, and by the execution itself when it starts
// (the API may have died in between): whoever comes second changes nothing.
export async function insertBulkResponse(database: Queryable, bulkResponse: NewBulkResponse): Promise<void> {
  await database.query(
    `insert into bulk_responses (id, company_id, fleet_id, parent_id, action, request, status, counts, created_by)
     values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) on conflict (id) do nothing`,
    [
      bulkResponse.id,
      bulkResponse.companyId,
      bulkResponse.fleetId,
      bulkResponse.parentId ?? null,
      bulkResponse.action,
      JSON.stringify(bulkResponse.request),
      JSON.stringify(emptyCounts()),
      bulkResponse.createdBy,
    ],
  );
}

export async function findBulkResponse(
  database: Queryable,
  companyId: string,
  id: string,
): Promise<BulkResponseRecord | undefined> {
  const rows = await database.query<BulkResponseRecord>(
    `select ${recordColumns} from bulk_responses where company_id = $1 and id = $2`,
    [companyId, id],
  );
  return rows[0];
}

export interface BulkResponseFilters {
  fleetId?: string | undefined;
  action?: string | undefined;
  status?: string | undefined;
}

export async function listBulkResponses(
  database: Queryable,
  companyId: string,
  filters: BulkResponseFilters,
  page: { limit: number; offset: number },
): Promise<{ total: number; resources: BulkResponseRecord[] }> {
  const where = `company_id = $1 and ($2::text is null or fleet_id = $2) and ($3::text is null or action = $3)
    and ($4::text is null or status = $4)`;
  const params = [companyId, filters.fleetId ?? null, filters.action ?? null, filters.status ?? null];
  const [count] = await database.query<{ total: number }>(
    `select count(*)::int as total from bulk_responses where ${where}`,
    params,
  );
  const resources = await database.query<BulkResponseRecord>(
    `select ${recordColumns} from bulk_responses where ${where} order by created_at desc, id desc limit $5 offset $6`,
    [...params, page.limit, page.offset],
  );
  return { total: count?.total ?? 0, resources };
}

export async function markBulkResponseStarted(database: Queryable, id: string, counts: BulkCounts): Promise<void> {
  await database.query(
    `update bulk_responses set status = 'processing', counts = $2, started_at = coalesce(started_at, now()),
       updated_at = now() where id = $1 and completed_at is null`,
    [id, JSON.stringify(counts)],
  );
}

// The live view saved while the execution runs: never over a final record.
// Answers the status it replaces (undefined once the record is final), so a transition is seen.
export async function saveBulkResponseProgress(
  database: Queryable,
  id: string,
  status: BulkStatus,
  counts: BulkCounts,
  waitingFor: string | null,
): Promise<string | undefined> {
  const [row] = await database.query<{ previous: string }>(
    `update bulk_responses updated set status = $2, counts = $3, waiting_for = $4, updated_at = now()
     from (select id, status as previous from bulk_responses where id = $1) prior
     where updated.id = prior.id and updated.completed_at is null
       and ${settledOf('updated.counts')} <= ${settledOf('$3::jsonb')}
     returning prior.previous`,
    [id, status, JSON.stringify(counts), waitingFor],
  );
  return row?.previous;
}

// Devices in a final state, from a stored counts object. A save abandoned by one run of the
// execution (continue-as-new) may land after the next run's: it must not take the record back.
function settledOf(counts: string): string {
  return `(${finalDeviceStatuses.map((status) => `coalesce((${counts} ->> '${status}')::int, 0)`).join(' + ')})`;
}

// The final summary; the first one written stays (a retried or late finalisation changes nothing).
export async function finishBulkResponse(
  database: Queryable,
  id: string,
  status: BulkStatus,
  counts: BulkCounts,
  statusReason: StatusReason | null,
): Promise<void> {
  await database.query(
    `update bulk_responses set status = $2, counts = $3, status_reason = $4, waiting_for = null, updated_at = now(),
       completed_at = now()
     where id = $1 and completed_at is null`,
    [id, status, JSON.stringify(counts), statusReason ? JSON.stringify(statusReason) : null],
  );
}

export async function countActiveBulkResponses(database: Queryable, companyId: string): Promise<number> {
  const [row] = await database.query<{ active: number }>(
    'select count(*)::int as active from bulk_responses where company_id = $1 and completed_at is null',
    [companyId],
  );
  return row?.active ?? 0;
}

// Bulk responses not ended whose record has not moved for a while: the reconciler asks Temporal
// about each of them.
export function listQuietActiveBulkResponses(
  database: Queryable,
  quietSeconds: number,
  limit: number,
): Promise<{ id: string; company_id: string; created_at: string }[]> {
  return database.query(
    `select id, company_id, created_at from bulk_responses
     where completed_at is null and updated_at < now() - make_interval(secs => $1) order by updated_at limit $2`,
    [quietSeconds, limit],
  );
}
