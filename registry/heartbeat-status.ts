export const heartbeatStatuses = ['online', 'idle', 'offline', 'never_reported'] as const;
export type HeartbeatStatus = (typeof heartbeatStatuses)[number];

// The heartbeat-age rule, the fallback of a device's derived status (registry/presence.ts applies
// what the device said about its connection first). A device last heard at most 1.5 periods ago
// is online (one period plus half a period of grace for clock skew and network delay), idle up to
// 3 periods (it missed one or two beats), and offline beyond that. Never heard: never_reported.
export const onlineWithinPeriods = 1.5;
export const idleWithinPeriods = 3;

export function heartbeatStatus(
  lastHeardAt: Date | string | null,
  heartbeatPeriodSeconds: number,
  now: Date = new Date(),
): HeartbeatStatus {
  if (lastHeardAt === null) return 'never_reported';
  const elapsedSeconds = (now.getTime() - new Date(lastHeardAt).getTime()) / 1000;
  if (elapsedSeconds <= onlineWithinPeriods * heartbeatPeriodSeconds) return 'online';
  if (elapsedSeconds <= idleWithinPeriods * heartbeatPeriodSeconds) return 'idle';
  return 'offline';
}
