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
  const interval = 60_000 / ratePerMinute;
  const earliest = now - catchUpMilliseconds;
  const nextDueAt = pace.anchorAt + pace.sent * interval;
  return nextDueAt >= earliest ? pace : { anchorAt: earliest - pace.sent * interval, sent: pace.sent };
}

// A pace not started yet (the first launch, or after a resume) starts now: one command, not the
// whole queue at once (it was unlimited, so a rate sent its first page in one burst).
export function paceCredit(pace: Pace, ratePerMinute: number, now: number): number {
  const current = anchored(pace, ratePerMinute, now) ?? { anchorAt: now, sent: 0 };
  const due = Math.floor(((now - current.anchorAt) * ratePerMinute) / 60_000) + 1;
  return Math.max(0, due - current.sent);
}

export function paceAfterLaunch(pace: Pace, ratePerMinute: number, now: number, launched: number): Pace {
  const current = anchored(pace, ratePerMinute, now) ?? { anchorAt: now, sent: 0 };
  return { anchorAt: current.anchorAt, sent: current.sent + launched };
}

// When the next command is due, if the pace (not the window) holds it back now.
export function nextPacedAt(pace: Pace, ratePerMinute: number, now: number): number | null {
  const current = anchored(pace, ratePerMinute, now);
  if (!current) return null;
  const dueAt = current.anchorAt + Math.ceil((current.sent * 60_000) / ratePerMinute);
  return dueAt > now ? Math.max(dueAt, now + minimumTickMilliseconds) : null;
}
