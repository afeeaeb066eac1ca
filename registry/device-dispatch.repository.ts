import type { SettingUndo } from '../contracts/rollback';
import type { Queryable } from './database';
import { isOnlineSql } from './presence';

// The device rows of a running device action: written when a device is sent to (or found offline)
// and again when it is final. Re-sends and the last copy at the deadline are chosen here, from the
// rows, so nothing the workflow holds grows with the devices waiting for an answer.

export interface DispatchedRow {
  status: 'sent' | 'enqueued' | 'skipped' | 'gone';
  deadlineAt: Date | null;
  // A configuration's row: the setting version it carries (and the one the device had before).
  undo: SettingUndo | null;
}

// The setting a configuration's command carries: its version, or for a rollback (`restoreFrom`)
// the version the device applied before that bulk response, from its row there.
export interface DispatchedSetting {
  settingId: string;
  version: number;
  restoreFrom?: string | undefined;
}

export interface DispatchRequest {
  bulkResponseId: string;
  companyId: string;
  deviceIds: readonly string[];
  stage: number;
  sentAt: Date;
  deadlineAt: Date;
  // When the first re-send is due, if any.
  nextSendAt: Date | null;
  skipOffline: boolean;
  setting?: DispatchedSetting | undefined;
}

// The devices a rollout's turn reaches, in one statement (its counts trigger runs once for all of
// them): each is `sent` if it is online now (the caller then publishes), `enqueued` if not (it is
// sent when it connects), or `skipped` offline with skip_offline. A row skipped before (a
// continuous rollout's newcomer) is taken over; any other existing row is kept and answered as it
// is, so a retried or replayed dispatch never writes or sends twice. A device no longer in the
// company is `gone`. Every requested id has an entry.
// A configuration's row keeps, in the same statement, the version the device applied before
// ($9 setting id; $10 the version sent, or with $11 the version the device had before bulk
// response $11): a rollback sends that back, and an answer applies the row's own version.
export async function dispatchDevices(
  database: Queryable,
  request: DispatchRequest,
): Promise<Map<string, DispatchedRow>> {
  const written = await database.query<StoredDispatch>(
    `with device as (
       select d.id, d.unique_id, ${isOnlineSql('d')} as online,
         case when $9::text is not null then jsonb_build_object('setting_id', $9::text,
           'previous_version', coalesce(d.applied_settings -> $9::text, 'null'),
           'version', case when $11::text is null then to_jsonb($10::int) else (select p.undo -> 'previous_version'
             from bulk_response_devices p where p.bulk_response_id = $11::text and p.device_id = d.id) end) end as undo
       from devices d where d.id = any($2::text[]) and d.company_id = $3
       order by d.id
     )
     insert into bulk_response_devices as row (bulk_response_id, device_id, unique_id, status, reason, attempts, stage,
       sent_at, deadline_at, next_send_at, undo)
     select $1, id, unique_id,
       case when online then 'sent' when $8 then 'skipped' else 'enqueued' end,
       case when not online and $8 then 'offline' end,
       case when online then 1 else 0 end, $4, $5,
       case when online or not $8 then $6::timestamptz end,
       case when online then $7::timestamptz end, undo
     from device
     on conflict (bulk_response_id, device_id) do update set status = excluded.status, reason = excluded.reason,
       message = null, attempts = excluded.attempts,
       -- a row that stays skipped keeps its stage: the counts move with a status, not with a stage
       stage = case when excluded.status = 'skipped' then row.stage else excluded.stage end,
       sent_at = excluded.sent_at,
       deadline_at = excluded.deadline_at, next_send_at = excluded.next_send_at, undo = excluded.undo,
       updated_at = now()
       where row.status = 'skipped'
     returning device_id, status, deadline_at, undo`,
    [
      request.bulkResponseId,
      request.deviceIds,
      request.companyId,
      request.stage,
      request.sentAt,
      request.deadlineAt,
      request.nextSendAt,
      request.skipOffline,
      request.setting?.settingId ?? null,
      request.setting?.version ?? null,
      request.setting?.restoreFrom ?? null,
    ],
  );
  const rows = new Map(written.map((row) => [row.device_id, dispatchedOf(row)]));
  const kept = request.deviceIds.filter((deviceId) => !rows.has(deviceId));
  if (kept.length > 0) {
    const existing = await database.query<StoredDispatch>(
      `select device_id, status, deadline_at, undo from bulk_response_devices
        where bulk_response_id = $1 and device_id = any($2::text[]) and status in ('sent', 'enqueued')`,
      [request.bulkResponseId, kept],
    );
    for (const row of existing) rows.set(row.device_id, dispatchedOf(row));
  }
  for (const deviceId of request.deviceIds)
    if (!rows.has(deviceId)) rows.set(deviceId, { status: 'gone', deadlineAt: null, undo: null });
  return rows;
}

interface StoredDispatch {
  device_id: string;
  status: 'sent' | 'enqueued' | 'skipped';
  deadline_at: Date | null;
  undo: SettingUndo | null;
}

function dispatchedOf(row: StoredDispatch): DispatchedRow {
  return { status: row.status, deadlineAt: row.deadline_at, undo: row.undo };
}

export interface WaitingDevice {
  device_id: string;
  unique_id: string;
  deadline_at: Date;
  // A configuration's row: the version its command carries (a rollback's differs per device).
  undo?: SettingUndo | null;
}

// Devices offline at dispatch that are online now and still within their deadline, taken for
// sending (at most `limit`): they become `sent` now.
export function takeConnectedDevices(
  database: Queryable,
  bulkResponseId: string,
  limit: number,
  now: Date,
  nextSendAt: Date | null,
): Promise<WaitingDevice[]> {
  return database.query<WaitingDevice>(
    `with ready as (
       select r.device_id from bulk_response_devices r join devices d on d.id = r.device_id
        where r.bulk_response_id = $1 and r.status = 'enqueued' and r.deadline_at > $3 and ${isOnlineSql('d')}
        order by r.device_id limit $2 for update of r skip locked
     )
     update bulk_response_devices r set status = 'sent', attempts = 1, sent_at = $3, next_send_at = $4,
       updated_at = now()
       from ready where r.bulk_response_id = $1 and r.device_id = ready.device_id
     returning r.device_id, r.unique_id, r.deadline_at, r.undo`,
    [bulkResponseId, limit, now, nextSendAt],
  );
}

export async function hasConnectedDevices(database: Queryable, bulkResponseId: string, now: Date): Promise<boolean> {
  const [row] = await database.query<{ connected: boolean }>(
    `select exists (select 1 from bulk_response_devices r join devices d on d.id = r.device_id
       where r.bulk_response_id = $1 and r.status = 'enqueued' and r.deadline_at > $2 and ${isOnlineSql('d')}) as connected`,
    [bulkResponseId, now],
  );
  return row?.connected ?? false;
}

// Silent devices whose next re-send is due: counted as a send, and their next one scheduled from
// the rollout's send offsets (milliseconds after the first send), none past the last.
export function takeDueResends(
  database: Queryable,
  bulkResponseId: string,
  now: Date,
  resendOffsets: readonly number[],
): Promise<WaitingDevice[]> {
  return database.query<WaitingDevice>(
    `update bulk_response_devices set attempts = attempts + 1, updated_at = now(),
       next_send_at = case when attempts + 1 <= cardinality($3::int[])
         then sent_at + make_interval(secs => ($3::int[])[attempts + 1] / 1000.0) end
     where bulk_response_id = $1 and status = 'sent' and next_send_at <= $2
     returning device_id, unique_id, deadline_at, undo`,
    [bulkResponseId, now, resendOffsets],
  );
}

// Devices still silent whose deadline passed since the last look: each gets one last copy.
export function listDeadlinesReached(
  database: Queryable,
  bulkResponseId: string,
  after: Date,
  now: Date,
): Promise<WaitingDevice[]> {
  return database.query<WaitingDevice>(
    `select device_id, unique_id, deadline_at, undo from bulk_response_devices
      where bulk_response_id = $1 and status in ('sent', 'in_progress') and health_confirm_by is null
        and deadline_at > $2 and deadline_at <= $3`,
    [bulkResponseId, after, now],
  );
}

// Devices whose time is up: offline ones at their deadline (they never had the command), the
// others once the grace for a late answer passed too, and those that answered success but were
// not seen alive again in time (confirm_health) end unhealthy.
export async function expireDevices(
  database: Queryable,
  bulkResponseId: string,
  now: Date,
  graceMilliseconds: number,
): Promise<{ status: 'timed_out' | 'unhealthy' }[]> {
  return database.query(
    `update bulk_response_devices set next_send_at = null, updated_at = now(),
       status = case when health_confirm_by is not null then 'unhealthy' else 'timed_out' end,
       message = case when health_confirm_by is not null then 'the device was not seen alive after its answer in time'
                      when status = 'enqueued' then 'the device did not connect before its deadline'
                      else 'the device did not answer before its deadline' end,
       health_confirm_by = null
     where bulk_response_id = $1 and (
       (status = 'enqueued' and deadline_at <= $2) or
       (status = 'in_progress' and health_confirm_by <= $2) or
       (status in ('sent', 'in_progress') and health_confirm_by is null
         and deadline_at <= $2 - make_interval(secs => $3 / 1000.0)))
     returning status`,
    [bulkResponseId, now, graceMilliseconds],
  );
}

// When something is next due among the waiting devices: a re-send, a last copy at a deadline
// (only while the rollout publishes), or an expiry.
export async function nextDueAt(
  database: Queryable,
  bulkResponseId: string,
  now: Date,
  graceMilliseconds: number,
  publishing: boolean,
): Promise<Date | null> {
  const [row] = await database.query<{ due: Date | null }>(
    `select least(
       case when $4 then (select min(next_send_at) from bulk_response_devices
          where bulk_response_id = $1 and status = 'sent' and next_send_at is not null) end,
       case when $4 then (select min(deadline_at) from bulk_response_devices
          where bulk_response_id = $1 and status in ('sent', 'in_progress') and health_confirm_by is null
            and deadline_at > $2) end,
       (select min(deadline_at) from bulk_response_devices where bulk_response_id = $1 and status = 'enqueued'),
       (select min(health_confirm_by) from bulk_response_devices where bulk_response_id = $1 and status = 'in_progress'),
       (select min(deadline_at) + make_interval(secs => $3 / 1000.0) from bulk_response_devices
          where bulk_response_id = $1 and status in ('sent', 'in_progress') and health_confirm_by is null)) as due`,
    [bulkResponseId, now, graceMilliseconds, publishing],
  );
  return row?.due ?? null;
}

// Devices whose command could not be published for good end `fail` with the reason.
export async function recordDispatchFailures(
  database: Queryable,
  bulkResponseId: string,
  devices: readonly { deviceId: string; uniqueId: string }[],
  stage: number,
  message: string,
): Promise<void> {
  await database.query(
    `insert into bulk_response_devices as row (bulk_response_id, device_id, unique_id, status, message, attempts, stage)
     select $1, device.id, device.unique_id, 'fail', $4, 1, $5
       from unnest($2::text[], $3::text[]) as device (id, unique_id)
      order by device.id
     on conflict (bulk_response_id, device_id) do update set status = 'fail', message = excluded.message,
       next_send_at = null, updated_at = now()
       where row.status in ('sent', 'enqueued', 'skipped')`,
    [
      bulkResponseId,
      devices.map((device) => device.deviceId),
      devices.map((device) => device.uniqueId),
      message,
      stage,
    ],
  );
}

export async function countWaitingDevices(database: Queryable, bulkResponseId: string): Promise<number> {
  const [row] = await database.query<{ waiting: number }>(
    `select count(*)::int as waiting from bulk_response_devices
      where bulk_response_id = $1 and status in ('sent', 'enqueued', 'in_progress')`,
    [bulkResponseId],
  );
  return row?.waiting ?? 0;
}

// The rollouts holding a command for any of these devices, waiting for them to connect.
export async function rolloutsWaitingFor(database: Queryable, deviceIds: readonly string[]): Promise<string[]> {
  const rows = await database.query<{ bulk_response_id: string }>(
    `select distinct bulk_response_id from bulk_response_devices
      where device_id = any($1::text[]) and status = 'enqueued'`,
    [deviceIds],
  );
  return rows.map((row) => row.bulk_response_id);
}
