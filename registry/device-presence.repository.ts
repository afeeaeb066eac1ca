import type { Queryable } from './database';
import { presenceStatusSql } from './presence';

// What one flush of the presence recorder knows of one device: its latest heartbeat, and the
// latest event saying whether it is connected. A presence message is `announced`; a heartbeat is
// an event too (a device that beats is connected), but it only sets `connected` when that was not
// already true, so presence_changed_at keeps the time the device came online.
export interface DevicePresenceUpdate {
  companyId: string;
  deviceId: string;
  heartbeatAt: Date | null;
  event: { online: boolean; at: Date; announced: boolean } | null;
}

// An event older than presence_changed_at is ignored: with several service instances (shared
// subscriptions, or every instance receiving everything on aedes) a late flush must not undo a
// later event another instance already wrote. last_seen_at never moves back either.
const applies = `s.event_at is not null and s.event_at >= coalesce(d.presence_changed_at, '-infinity'::timestamptz)`;

// One statement for a whole flush: thousands of devices cost one UPDATE, not one per message.
// `previous` reads the rows as they were before the update (one snapshot for the statement), so
// the answer is the devices that became connected: connected was not true, or their status was
// not online. A device may be reported by two instances flushing at once; callers tolerate that.
const recordPresenceSql = `
  with seen as (
    select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::boolean[], $6::boolean[])
      as s(company_id, id, heartbeat_at, event_at, online, announced)
  ),
  previous as (
    select d.id, d.connected is true as was_connected, ${presenceStatusSql('d')} = 'online' as was_online
      from devices d join seen s on d.id = s.id and d.company_id = s.company_id
  ),
  changed as (
    update devices d
       set last_seen_at = greatest(d.last_seen_at, s.heartbeat_at),
           connected = case when ${applies} then s.online else d.connected end,
           presence_changed_at = case
             when ${applies} and (s.announced or d.connected is distinct from s.online) then s.event_at
             else d.presence_changed_at end
      from seen s
     where d.id = s.id and d.company_id = s.company_id
    returning d.id, d.connected
  )
  select c.id from changed c join previous p on p.id = c.id
   where c.connected and not (p.was_connected and p.was_online)`;

export async function recordDevicePresence(
  database: Queryable,
  updates: readonly DevicePresenceUpdate[],
): Promise<string[]> {
  if (updates.length === 0) return [];
  const rows = await database.query<{ id: string }>(recordPresenceSql, [
    updates.map((update) => update.companyId),
    updates.map((update) => update.deviceId),
    updates.map((update) => update.heartbeatAt?.toISOString() ?? null),
    updates.map((update) => update.event?.at.toISOString() ?? null),
    updates.map((update) => update.event?.online ?? null),
    updates.map((update) => update.event?.announced ?? false),
  ]);
  return rows.map((row) => row.id);
}
