import type { BulkCounts, BulkStatus } from '../contracts/statuses';
import { emptyCounts } from '../contracts/statuses';
import type { Queryable } from './database';

export interface BulkResponseRecord {
  _id: string;
  company_id: string;
  fleet_id: string | null;
  parent_id: string | null;
  action: string;
  request: Record<string, unknown>;
  status: BulkStatus;
  counts: BulkCounts;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  updated_at: string;
  completed_at: string | null;
}

const recordColumns = `id as "_id", company_id, fleet_id, parent_id, action, request, status, counts, created_by,
  created_at, started_at, updated_at, completed_at`;

export interface NewBulkResponse {
  id: string;
  companyId: string;
  fleetId: string | null;
  parentId?: string | null;
  action: string;
  request: unknown;
  createdBy: string;
}

export async function insertBulkResponse(database: Queryable, bulkResponse: NewBulkResponse): Promise<void> {
  await database.query(
    `insert into bulk_responses (id, company_id, fleet_id, parent_id, action, request, status, counts, created_by)
     values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)`,
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

export async function deleteBulkResponse(database: Queryable, id: string): Promise<void> {
  await database.query('delete from bulk_responses where id = $1', [id]);
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

export async function updateBulkResponseStatus(
  database: Queryable,
  id: string,
  status: BulkStatus,
  counts: BulkCounts,
  final: boolean,
): Promise<void> {
  await database.query(
    `update bulk_responses set status = $2, counts = $3, updated_at = now(),
       completed_at = case when $4 then coalesce(completed_at, now()) else completed_at end
     where id = $1`,
    [id, status, JSON.stringify(counts), final],
  );
}
