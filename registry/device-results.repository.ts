import type { DeviceResult } from '../contracts/bulk-action.types';
import { finalDeviceStatuses, type DeviceStatus } from '../contracts/statuses';
import type { Queryable } from './database';

export type { DeviceResult };

export interface DeviceResultRecord {
  device_id: string;
  unique_id: string;
  status: DeviceStatus;
  reason?: string;
  message?: string;
  attempts: number;
  updated_at: string;
}

// One statement per batch of results; a re-recorded device keeps its latest state, so retried
// activities and replayed batches converge on the same rows. A progress state (sent, enqueued)
// never replaces a final one: a device can answer, and the batch record its success, before the
// activity that published the command has written "sent".
export async function recordDeviceResults(
  database: Queryable,
  bulkResponseId: string,
  results: readonly DeviceResult[],
): Promise<void> {
  if (results.length === 0) return;
  await database.query(
    `insert into bulk_response_devices (bulk_response_id, device_id, unique_id, status, reason, message, attempts)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[])
     on conflict (bulk_response_id, device_id) do update set status = excluded.status, reason = excluded.reason,
       message = excluded.message, attempts = excluded.attempts, updated_at = now()
     where excluded.status = any($8::text[]) or not bulk_response_devices.status = any($8::text[])`,
    [
      bulkResponseId,
      results.map((result) => result.deviceId),
      results.map((result) => result.uniqueId),
      results.map((result) => result.status),
      results.map((result) => result.reason ?? null),
      results.map((result) => result.message ?? null),
      results.map((result) => result.attempts),
      finalDeviceStatuses,
    ],
  );
}

// A batch takes its devices before sending anything: each gets a `pending` row naming the batch.
// A row the bulk response skipped earlier is taken over (the device became eligible); a device
// another batch holds is never taken.
export async function claimDevices(
  database: Queryable,
  bulkResponseId: string,
  claimedBy: string,
  devices: readonly { deviceId: string; uniqueId: string }[],
): Promise<void> {
  if (devices.length === 0) return;
  await database.query(
    `insert into bulk_response_devices (bulk_response_id, device_id, unique_id, status, attempts, claimed_by)
     select $1, claimed.device_id, claimed.unique_id, 'pending', 0, $2
       from unnest($3::text[], $4::text[]) as claimed (device_id, unique_id)
     on conflict (bulk_response_id, device_id) do update set status = 'pending', reason = null, message = null,
       attempts = 0, claimed_by = excluded.claimed_by, updated_at = now()
     where bulk_response_devices.status = 'skipped'
       or (bulk_response_devices.status = 'pending' and bulk_response_devices.claimed_by = excluded.claimed_by)`,
    [bulkResponseId, claimedBy, devices.map((device) => device.deviceId), devices.map((device) => device.uniqueId)],
  );
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
  const rows = await database.query<DeviceResultRecord & { reason: string | null; message: string | null }>(
    `select device_id, unique_id, status, reason, message, attempts, updated_at from bulk_response_devices
     where ${where} order by device_id limit $3 offset $4`,
    [bulkResponseId, status ?? null, page.limit, page.offset],
  );
  const resources = rows.map(({ reason, message, ...rest }) => ({
    ...rest,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  }));
  return { total: count?.total ?? 0, resources };
}

// Devices an ended execution never reached get a final `canceled` row; rows already written keep
// their state. The page select is unbounded here on purpose: it is one INSERT ... SELECT.
export async function cancelUnreachedDevices(
  database: Queryable,
  bulkResponseId: string,
  remaining: { sql: string; params: unknown[] },
): Promise<void> {
  const bulkResponseParameter = remaining.params.length + 1;
  await database.query(
    `insert into bulk_response_devices (bulk_response_id, device_id, unique_id, status, attempts)
     select $${bulkResponseParameter}, unreached.id, unreached.unique_id, 'canceled', 0 from (${remaining.sql}) as unreached
     on conflict (bulk_response_id, device_id) do nothing`,
    [...remaining.params, bulkResponseId],
  );
}

// Devices commanded but not answered when the execution ended (cancellation, failure, a
// terminated execution) get their final state: they were sent to, and nobody waits any more.
export async function cancelUnansweredDevices(database: Queryable, bulkResponseId: string, message: string) {
  await database.query(
    `update bulk_response_devices set status = 'canceled', message = $2, updated_at = now()
     where bulk_response_id = $1 and status in ('pending', 'sent', 'enqueued')`,
    [bulkResponseId, message],
  );
}

export async function cancelUnsentDevices(database: Queryable, bulkResponseId: string) {
  await database.query(
    `update bulk_response_devices set status = 'canceled', message = 'taken by a batch but never sent', updated_at = now()
     where bulk_response_id = $1 and status = 'pending'`,
    [bulkResponseId],
  );
}

export async function countDeviceResults(database: Queryable, bulkResponseId: string): Promise<Record<string, number>> {
  const rows = await database.query<{ status: string; count: number }>(
    'select status, count(*)::int as count from bulk_response_devices where bulk_response_id = $1 group by status',
    [bulkResponseId],
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
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
