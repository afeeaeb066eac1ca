export const heartbeatStatuses = ['online', 'idle', 'offline', 'never_reported'] as const;
export type HeartbeatStatus = (typeof heartbeatStatuses)[number];

// A device is online while its last heartbeat is at most 1.5 periods old (one period plus half a
// period of grace for clock skew and network delay), idle up to 3 periods (it missed one or two
// beats), and offline beyond that. A device that never reported is never_reported.
export const onlineWithinPeriods = 1.5;
export const idleWithinPeriods = 3;

export function heartbeatStatus(
  lastSeenAt: Date | string | null,
  heartbeatPeriodSeconds: number,
  now: Date = new Date(),
): HeartbeatStatus {
  if (lastSeenAt === null) return 'never_reported';
  const elapsedSeconds = (now.getTime() - new Date(lastSeenAt).getTime()) / 1000;
  if (elapsedSeconds <= onlineWithinPeriods * heartbeatPeriodSeconds) return 'online';
  if (elapsedSeconds <= idleWithinPeriods * heartbeatPeriodSeconds) return 'idle';
  return 'offline';
}
