import type { RolloutState } from './rollout-state';

// The pace of `rate_per_minute`, pure: commands due by now are the rate times the time since the
// pace started, less what went out since. A late timer is caught up at once (a minute holds R
// commands), but a stall (a full window, a pause, a closed maintenance window) is not made up by a
// burst afterwards: the pace's anchor moves so that at most `catchUp` worth is owed.

type Pace = RolloutState['rate'];

const catchUpMilliseconds = 2_000;
// At high rates the pace wakes the rollout this often and sends what fell due meanwhile.
const minimumTickMilliseconds = 200;

function anchored(pace: Pace, ratePerMinute: number, now: number): Pace {
  if (!pace) return null;
  // A new rate (a ramp's step) starts its own pace now.
  if (pace.perMinute !== ratePerMinute) return { anchorAt: now, sent: 0, perMinute: ratePerMinute };
  const interval = 60_000 / ratePerMinute;
  const earliest = now - catchUpMilliseconds;
  const nextDueAt = pace.anchorAt + pace.sent * interval;
  return nextDueAt >= earliest ? pace : { ...pace, anchorAt: earliest - pace.sent * interval };
}

// Before the first command the pace allows one: it starts the pace.
export function paceCredit(pace: Pace, ratePerMinute: number, now: number): number {
  const current = anchored(pace, ratePerMinute, now);
  if (!current) return 1;
  const due = Math.floor(((now - current.anchorAt) * ratePerMinute) / 60_000) + 1;
  return Math.max(0, due - current.sent);
}

export function paceAfterLaunch(pace: Pace, ratePerMinute: number, now: number, launched: number): Pace {
  const current = anchored(pace, ratePerMinute, now) ?? { anchorAt: now, sent: 0, perMinute: ratePerMinute };
  return { ...current, sent: current.sent + launched };
}

// When the next command is due, if the pace (not the window) holds it back now.
export function nextPacedAt(pace: Pace, ratePerMinute: number, now: number): number | null {
  const current = anchored(pace, ratePerMinute, now);
  if (!current) return null;
  const dueAt = current.anchorAt + Math.ceil((current.sent * 60_000) / ratePerMinute);
  return dueAt > now ? Math.max(dueAt, now + minimumTickMilliseconds) : null;
}

// A ramp's pace now: it starts at its first rate and grows by its factor for every step of
// devices that succeeded, up to its maximum.
export function rampedRate(
  ramp: { startPerMinute: number; factor: number; everySucceeded: number; maxPerMinute: number },
  succeeded: number,
): number {
  const steps = Math.floor(succeeded / ramp.everySucceeded);
  return Math.min(ramp.maxPerMinute, Math.round(ramp.startPerMinute * ramp.factor ** Math.min(steps, 64)));
}
