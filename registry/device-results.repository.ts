import type { DeviceResult } from '../contracts/bulk-action.types';
import type { DeviceStatus } from '../contracts/statuses';
import type { Queryable } from './database';

export type { DeviceResult };

export interface DeviceResultRecord {
  device_id: string;
  unique_id: string;
  status: DeviceStatus;
  reason?: string;
  message?: string;
  result?: Record<string, unknown>;
  progress?: Record<string, unknown>;
  attempts: number;
  acknowledged_at: string | null;
  updated_at: string;
}

// Rows written final at once (skipped devices, a registry action's page), one statement for many.
// A row the bulk response skipped before may be written again (a continuous rollout's sweep met
// the device changed since); any other existing row is kept, so a retried page writes nothing twice.
// Answers the devices whose rows it wrote.
export async function recordDeviceResults(
  database: Queryable,
  bulkResponseId: string,
  results: readonly DeviceResult[],
  stage = 0,
): Promise<Set<string>> {
  if (results.length === 0) return new Set();
  const written = await database.query<{ device_id: string }>(
    `insert into bulk_response_devices as row (bulk_response_id, device_id, unique_id, status, reason, message,
       attempts, stage, undo, acknowledged_at)
     select $1, device_id, unique_id, status, reason, message, attempts, $8, undo,
         -- a registry change is acknowledged by the registry itself, when it is written
         case when status = 'success' then now() end
       from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $9::jsonb[])
         as result (device_id, unique_id, status, reason, message, attempts, undo)
     on conflict (bulk_response_id, device_id) do update set status = excluded.status, reason = excluded.reason,
       message = excluded.message, attempts = excluded.attempts, undo = excluded.undo,
       acknowledged_at = excluded.acknowledged_at, updated_at = now()
       where row.status = 'skipped'
     returning device_id`,
    [
      bulkResponseId,
      results.map((result) => result.deviceId),
      results.map((result) => result.uniqueId),
      results.map((result) => result.status),
      results.map((result) => result.reason ?? null),
      results.map((result) => result.message ?? null),
      results.map((result) => result.attempts),
      stage,
      // What a registry page's change replaced on each device, kept for a rollback.
      results.map((result) => (result.undo ? JSON.stringify(result.undo) : null)),
    ],
  );
  return new Set(written.map((row) => row.device_id));
}

export async function listDeviceResults(
  database: Queryable,
  bulkResponseId: string,
  status: DeviceStatus | undefined,
  page: { limit: number; offset: number },
): Promise<{ total: number; resources: DeviceResultRecord[] }> {
  const where = 'bulk_response_id = $1 and ($2::text is null or status = $2)';
  const [count] = await database.query<{ total: number }>(
    `select count(*)::int as total from bulk_response_devices where ${where}`,
    [bulkResponseId, status ?? null],
  );
  const rows = await database.query<Record<string, unknown> & DeviceResultRecord>(
    `select device_id, unique_id, status, reason, message, result, progress, attempts, acknowledged_at, updated_at
       from bulk_response_devices where ${where} order by device_id limit $3 offset $4`,
    [bulkResponseId, status ?? null, page.limit, page.offset],
  );
  // Optional fields are left out rather than null, as the API documents them; every entry says
  // whether the device answered (acknowledged_at, null until it has).
  const resources = rows.map(
    (row) =>
      Object.fromEntries(
        Object.entries(row).filter(([key, value]) => value !== null || key === 'acknowledged_at'),
      ) as unknown as DeviceResultRecord,
  );
  return { total: count?.total ?? 0, resources };
}

// Every device's current state in one bulk response (bounded by the request that named them).
export function listDeviceStates(
  database: Queryable,
  bulkResponseId: string,
): Promise<{ device_id: string; status: DeviceStatus; reason: string | null }[]> {
  return database.query('select device_id, status, reason from bulk_response_devices where bulk_response_id = $1', [
    bulkResponseId,
  ]);
}

// A rollout that stopped: offline devices never sent to end `canceled`, and with `cancelWaiting`
// so do the devices still waiting for an answer (their late answers are then not taken).
export async function cancelWaitingDevices(
  database: Queryable,
  bulkResponseId: string,
  message: string,
  cancelWaiting: boolean,
): Promise<void> {
  await database.query(
    `update bulk_response_devices set status = 'canceled', message = $2, next_send_at = null, updated_at = now()
     where bulk_response_id = $1 and (status = 'enqueued' or ($3 and status in ('sent', 'in_progress')))`,
    [bulkResponseId, message, cancelWaiting],
  );
}
