import { heartbeatStatus, idleWithinPeriods, onlineWithinPeriods, type HeartbeatStatus } from './heartbeat-status';

// A device's derived status (`heartbeat_status`), the one rule behind device reads, the preview,
// eligibility and any SQL that needs "online", in its TS and its SQL form side by side:
//   - the device said `online: false`, or its will fired (connection lost): offline at once;
//   - otherwise the heartbeat-age rule (registry/heartbeat-status.ts) on the last time it was
//     heard: its last heartbeat, or its last presence message if it is connected. A connected
//     device therefore turns idle after 1.5 silent periods and offline after 3;
//   - a device never heard of, with no presence and no heartbeat: never_reported.
// `connected` is null for a device that never sent a presence message (an older device): the
// heartbeat-age rule alone applies to it, as before presence existed.

export interface PresenceFields {
  last_seen_at: Date | string | null;
  heartbeat_period: number;
  connected: boolean | null;
  presence_changed_at: Date | string | null;
}

// The presence columns a status needs beside last_seen_at and heartbeat_period.
export function presenceColumns(alias: string): string {
  return `${alias}.connected, ${alias}.presence_changed_at`;
}

function latest(first: Date | string | null, second: Date | string | null): Date | string | null {
  if (first === null || second === null) return first ?? second;
  return new Date(first).getTime() >= new Date(second).getTime() ? first : second;
}

export function presenceStatus(device: PresenceFields, now: Date = new Date()): HeartbeatStatus {
  if (device.connected === false) return 'offline';
  const announcedAt = device.connected === true ? device.presence_changed_at : null;
  return heartbeatStatus(latest(device.last_seen_at, announcedAt), device.heartbeat_period, now);
}

export function isOnlineAt(device: PresenceFields, now: Date = new Date()): boolean {
  return presenceStatus(device, now) === 'online';
}

// The same rule as a SQL expression over the devices row `alias`, yielding the status text.
// `now` is any timestamptz expression (default the transaction's now()). greatest() skips nulls.
export function presenceStatusSql(alias = 'd', now = 'now()'): string {
  const lastHeard = `greatest(${alias}.last_seen_at, case when ${alias}.connected then ${alias}.presence_changed_at end)`;
  const within = (periods: number) =>
    `(${now}) - ${lastHeard} <= interval '1 second' * (${alias}.heartbeat_period * ${periods}::float8)`;
  return `(case when ${alias}.connected is false then 'offline'
    when ${lastHeard} is null then 'never_reported'
    when ${within(onlineWithinPeriods)} then 'online'
    when ${within(idleWithinPeriods)} then 'idle'
    else 'offline' end)`;
}

// A boolean SQL expression: the device is online (for dispatch, eligibility and counts).
export function isOnlineSql(alias = 'd', now = 'now()'): string {
  return `(${presenceStatusSql(alias, now)} = 'online')`;
}
