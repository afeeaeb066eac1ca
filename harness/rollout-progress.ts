import { finalDeviceStatuses } from '../contracts/statuses';
import type { Queryable } from '../registry/database';

// Follows one bulk response in the registry (the durable truth): how many of its devices hold a
// final result over time, and when it ended. A fault's stall is the time from the fault until
// that number next grows.

export interface RolloutProgress {
  readonly settled: number;
  readonly ended: boolean;
  waitUntilSettled(count: number, timeoutMilliseconds: number): Promise<void>;
  waitForEnd(timeoutMilliseconds: number): Promise<void>;
  // The pause in progress around a fault at `since` (epoch ms): from the fault, or the last
  // progress after it, until progress resumes. Writes already in flight when the fault hit may
  // land just after it; they do not count as recovery. Undefined while progress has not resumed.
  stallSecondsSince(since: number): number | undefined;
  stop(): void;
}

const pollMilliseconds = 200;
const writesInFlightMilliseconds = 1000;

interface Sample {
  at: number;
  settled: number;
}

// Samples where the settled count grew, each with the time of the growth before it.
function progressEvents(samples: readonly Sample[]): { at: number; previousAt: number }[] {
  const events: { at: number; previousAt: number }[] = [];
  let previousAt = samples[0]?.at ?? 0;
  for (let index = 1; index < samples.length; index += 1) {
    if (samples[index]!.settled <= samples[index - 1]!.settled) continue;
    events.push({ at: samples[index]!.at, previousAt });
    previousAt = samples[index]!.at;
  }
  return events;
}

export function followRollout(database: Queryable, bulkResponseId: string): RolloutProgress {
  const samples: Sample[] = [];
  let settled = 0;
  let ended = false;
  let stopped = false;
  const poll = async () => {
    const [row] = await database.query<{ settled: number; ended: boolean }>(
      `select (select count(*)::int from bulk_response_devices
                where bulk_response_id = $1 and status = any($2::text[])) as settled,
              coalesce((select completed_at is not null from bulk_responses where id = $1), false) as ended`,
      [bulkResponseId, [...finalDeviceStatuses]],
    );
    settled = row?.settled ?? 0;
    ended = row?.ended ?? false;
    samples.push({ at: Date.now(), settled });
  };
  const loop = async () => {
    while (!stopped) {
      await poll().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, pollMilliseconds));
    }
  };
  void loop();
  const waitUntil = async (condition: () => boolean, timeoutMilliseconds: number, what: string) => {
    const deadline = Date.now() + timeoutMilliseconds;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`bulk response ${bulkResponseId}: ${what} not reached in time`);
      await new Promise((resolve) => setTimeout(resolve, pollMilliseconds));
    }
  };
  return {
    get settled() {
      return settled;
    },
    get ended() {
      return ended;
    },
    waitUntilSettled: (count, timeout) => waitUntil(() => settled >= count, timeout, `${count} settled devices`),
    waitForEnd: (timeout) => waitUntil(() => ended, timeout, 'the end'),
    stallSecondsSince: (since) => {
      const resumed = progressEvents(samples).find((event) => event.at > since + writesInFlightMilliseconds);
      if (!resumed) return undefined;
      return (resumed.at - Math.max(since, resumed.previousAt)) / 1000;
    },
    stop: () => {
      stopped = true;
    },
  };
}
