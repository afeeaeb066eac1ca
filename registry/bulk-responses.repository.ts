import type { ResolvedCommand, StatusReason } from '../contracts/bulk-action.types';
import type { RolloutRecordState } from '../contracts/rollout-model';
import { emptyCounts, withPending, type BulkCounts, type BulkStatus } from '../contracts/statuses';
import { summedCountsSql } from './bulk-response-counts.repository';
import type { Queryable } from './database';
import {
  waitingDeadlineColumns,
  waitingDeadlinesOf,
  type StoredWaitingDeadlines,
  type WaitingDeadlines,
} from './waiting-deadlines.repository';

export interface BulkResponseRecord {
  _id: string;
  company_id: string;
  fleet_id: string | null;
  parent_id: string | null;
  action: string;
  request: Record<string, unknown>;
  status: BulkStatus;
  status_reason: StatusReason | null;
  // What the device rows say, with the devices the rollout walks (`total`) and those not reached.
  counts: BulkCounts;
  // The rollout model's own state (stage, pause, waits), saved at each of its transitions.
  rollout_state: RolloutRecordState | null;
  // A rollback: the bulk response it undoes. Any other: its rollback, once there is one.
  rollback_of: string | null;
  rollback_id: string | null;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  updated_at: string;
  completed_at: string | null;
}

type StoredRecord = Omit<BulkResponseRecord, 'counts'> & { total: number; counts: Omit<BulkCounts, 'total'> | null };

const recordColumns = `b.id as "_id", b.company_id, b.fleet_id, b.parent_id, b.action, b.request, b.status,
  b.status_reason, b.total, ${summedCountsSql} as counts, b.rollout_state, b.rollback_of,
  (select r.id from bulk_responses r where r.rollback_of = b.id and r.parent_id = b.id) as rollback_id,
  b.created_by, b.created_at, b.started_at, b.updated_at, b.completed_at`;

function recordOf({ total, counts, ...stored }: StoredRecord): BulkResponseRecord {
  const rows = { ...emptyCounts(), ...(counts ?? {}), total: 0 };
  const recorded = Object.values(rows).reduce((sum, value) => sum + value, 0) - rows.pending;
  return { ...stored, counts: withPending({ ...rows, total: Math.max(total, recorded) }) };
}

export interface NewBulkResponse {
  id: string;
  companyId: string;
  fleetId: string | null;
  parentId?: string | null;
  action: string;
  request: unknown;
  createdBy: string | null;
  appliedSetting?: { settingId: string; version: number } | null;
  // A rollback: the bulk response it undoes.
  rollbackOf?: string | null;
  // What a rollback of this one would send (resolved now, like its own command).
  rollbackCommand?: ResolvedCommand | null;
}

// Written once, by the API, before it starts the execution; a retried request with the same
// Idempotency-Key finds it there and changes nothing. True when this call wrote it.
export async function insertBulkResponse(database: Queryable, bulkResponse: NewBulkResponse): Promise<boolean> {
  const rows = await database.query(
    `insert into bulk_responses (id, company_id, fleet_id, parent_id, action, request, status, created_by,
       applied_setting, rollback_of, rollback_command)
     values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10) on conflict (id) do nothing returning id`,
    [
      bulkResponse.id,
      bulkResponse.companyId,
      bulkResponse.fleetId,
      bulkResponse.parentId ?? null,
      bulkResponse.action,
      JSON.stringify(bulkResponse.request),
      bulkResponse.createdBy,
      bulkResponse.appliedSetting ? JSON.stringify(bulkResponse.appliedSetting) : null,
      bulkResponse.rollbackOf ?? null,
      bulkResponse.rollbackCommand ? JSON.stringify(bulkResponse.rollbackCommand) : null,
    ],
  );
  return rows.length > 0;
}

// A start that Temporal refused leaves nothing behind: the record goes with it.
export async function deleteUnstartedBulkResponse(database: Queryable, id: string): Promise<void> {
  await database.query("delete from bulk_responses where id = $1 and status = 'pending' and started_at is null", [id]);
}

export async function findBulkResponse(
  database: Queryable,
  companyId: string,
  id: string,
): Promise<BulkResponseRecord | undefined> {
  const rows = await database.query<StoredRecord>(
    `select ${recordColumns} from bulk_responses b where b.company_id = $1 and b.id = $2`,
    [companyId, id],
  );
  return rows[0] && recordOf(rows[0]);
}

// The record and, while devices may still wait, the latest of their deadlines: one statement.
export async function findBulkResponseWithDeadlines(
  database: Queryable,
  companyId: string,
  id: string,
): Promise<{ record: BulkResponseRecord; deadlines: WaitingDeadlines } | undefined> {
  const [row] = await database.query<StoredRecord & StoredWaitingDeadlines>(
    `select ${recordColumns}, ${waitingDeadlineColumns} from bulk_responses b where b.company_id = $1 and b.id = $2`,
    [companyId, id],
  );
  if (!row) return undefined;
  const { waiting_sent_deadline, waiting_enqueued_deadline, ...stored } = row;
  return {
    record: recordOf(stored),
    deadlines: waitingDeadlinesOf({ waiting_sent_deadline, waiting_enqueued_deadline }),
  };
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
  const where = `b.company_id = $1 and ($2::text is null or b.fleet_id = $2) and ($3::text is null or b.action = $3)
    and ($4::text is null or b.status = $4)`;
  const params = [companyId, filters.fleetId ?? null, filters.action ?? null, filters.status ?? null];
  const [count] = await database.query<{ total: number }>(
    `select count(*)::int as total from bulk_responses b where ${where}`,
    params,
  );
  const rows = await database.query<StoredRecord>(
    `select ${recordColumns} from bulk_responses b where ${where}
     order by b.created_at desc, b.id desc limit $5 offset $6`,
    [...params, page.limit, page.offset],
  );
  return { total: count?.total ?? 0, resources: rows.map(recordOf) };
}

// The execution began: how many devices it walks.
export async function markBulkResponseStarted(database: Queryable, id: string, total: number): Promise<void> {
  await database.query(
    `update bulk_responses set status = 'processing', total = $2, started_at = coalesce(started_at, now()),
       updated_at = now() where id = $1 and completed_at is null`,
    [id, total],
  );
}

// A transition of the rollout (paused, stage, wait...). Saves may land out of order (a retried
// activity, a run that continued as new): the newest state, by its version, is kept.
// Answers the status it replaced, or undefined when nothing changed.
export async function saveRolloutState(
  database: Queryable,
  id: string,
  change: { total: number; status: BulkStatus; state: RolloutRecordState },
): Promise<BulkStatus | undefined> {
  const [row] = await database.query<{ previous: BulkStatus }>(
    `update bulk_responses saved set status = $2, total = $3, rollout_state = $4, updated_at = now()
       from (select id, status as previous from bulk_responses where id = $1) prior
      where saved.id = prior.id and saved.completed_at is null
        and coalesce((saved.rollout_state ->> 'version')::bigint, -1) < $5
      returning prior.previous`,
    [id, change.status, change.total, JSON.stringify(change.state), change.state.version],
  );
  return row?.previous;
}

// The end: the first final status written stays (a retried or late finish changes nothing).
export async function finishBulkResponse(
  database: Queryable,
  id: string,
  end: { status: BulkStatus; statusReason: StatusReason | null; total: number; state: RolloutRecordState | null },
): Promise<boolean> {
  const rows = await database.query(
    `update bulk_responses set status = $2, status_reason = $3, total = $4,
       rollout_state = coalesce($5, rollout_state), updated_at = now(), completed_at = now()
     where id = $1 and completed_at is null returning id`,
    [
      id,
      end.status,
      end.statusReason ? JSON.stringify(end.statusReason) : null,
      end.total,
      end.state ? JSON.stringify(end.state) : null,
    ],
  );
  return rows.length > 0;
}

export async function countActiveBulkResponses(database: Queryable, companyId: string): Promise<number> {
  const [row] = await database.query<{ active: number }>(
    'select count(*)::int as active from bulk_responses where company_id = $1 and completed_at is null',
    [companyId],
  );
  return row?.active ?? 0;
}

// Bulk responses not ended: the reconciler asks Temporal about those whose record has been quiet.
export function listQuietActiveBulkResponses(
  database: Queryable,
  quietSeconds: number,
  limit: number,
): Promise<{ id: string; company_id: string; created_at: string; status: BulkStatus; total: number }[]> {
  return database.query(
    `select id, company_id, created_at, status, total from bulk_responses
     where completed_at is null and updated_at < now() - make_interval(secs => $1) order by updated_at limit $2`,
    [quietSeconds, limit],
  );
}

export async function appliedSettingsOf(
  database: Queryable,
  ids: readonly string[],
): Promise<Map<string, { settingId: string; version: number } | null>> {
  const rows = await database.query<{ id: string; applied_setting: { settingId: string; version: number } | null }>(
    'select id, applied_setting from bulk_responses where id = any($1::text[])',
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.applied_setting]));
}
