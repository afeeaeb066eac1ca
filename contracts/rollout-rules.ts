import type { StatusReason } from './bulk-action.types';
import type { Rollout } from './fleet-action.schema';
import { rolloutDefaults } from './rollout-defaults';
import type { BulkCounts, BulkStatus } from './statuses';

// The rollout's rules in one deterministic place, shared by the workflows, the API's dry run and
// unit tests that need no server. "Answered" devices sent an answer (success or fail);
// "finished" devices answered or ran out of time: only those say something about the command.

export const rolloutLimits = {
  // Batches open at once (dispatching or waiting for answers): far below the server's 2,000
  // pending children per execution and the dev server's ~1,000 concurrent workflows.
  maxOpenBatches: 200,
  // Devices offline at dispatch and waiting for their deadline, across the whole rollout.
  maxEnqueued: 5_000,
  // Events one batch may write, far below the 10,000 we allow any history.
  batchEventBudget: 8_000,
  minimumBatchSize: 50,
  maximumBatchSize: 1_000,
} as const;

export function answeredCount(counts: BulkCounts): number {
  return counts.success + counts.fail;
}

export function finishedCount(counts: BulkCounts): number {
  return counts.success + counts.fail + counts.timed_out;
}

export function finalStatusOf(counts: BulkCounts): BulkStatus {
  return counts.fail + counts.timed_out > 0 ? 'completed_with_errors' : 'completed';
}

// How many devices the canary commands before its gate: a count, or a share of the devices that
// will receive the action; never more than there are. Shared by the engine and the dry run.
export function canarySizeOf(rollout: Rollout | undefined, eligibleDevices: number): number {
  const canary = rollout?.canary;
  if (!canary || eligibleDevices <= 0) return 0;
  const wanted = canary.count ?? Math.ceil((eligibleDevices * (canary.percent ?? 0)) / 100);
  return Math.min(eligibleDevices, Math.max(1, wanted));
}

// The gate judges answered devices; a canary nobody answered proves nothing and does not pass.
export function canaryFailure(rollout: Rollout | undefined, counts: BulkCounts): StatusReason | undefined {
  const minimum = rollout?.canary?.min_success_rate ?? 1;
  const answered = answeredCount(counts);
  const rate = answered === 0 ? 0 : counts.success / answered;
  if (minimum === 0 || (answered > 0 && rate >= minimum)) return undefined;
  const silent = counts.timed_out > 0 ? `; ${counts.timed_out} did not answer` : '';
  return {
    code: 'canary_below_success_rate',
    message: `canary: ${counts.success} of ${answered} answered devices succeeded (${rate.toFixed(2)} < ${minimum.toFixed(2)})${silent}`,
  };
}

// Abort once enough devices finished and too many of them failed or timed out; skipped and
// canceled devices say nothing about the command's health.
export function abortReason(rollout: Rollout | undefined, counts: BulkCounts): StatusReason | undefined {
  const abort = rollout?.abort;
  if (!abort) return undefined;
  const finished = finishedCount(counts);
  const failed = counts.fail + counts.timed_out;
  if (finished < abort.min_finished || failed / finished < abort.failure_rate) return undefined;
  return {
    code: 'failure_rate_exceeded',
    message: `${failed} of ${finished} finished devices failed or timed out (${(failed / finished).toFixed(2)} >= ${abort.failure_rate.toFixed(2)})`,
  };
}

export function maxInFlightOf(rollout: Rollout | undefined): number {
  return rollout?.max_in_flight ?? rolloutDefaults.maxInFlight;
}

export function deviceDeadlineMillisecondsOf(rollout: Rollout | undefined): number {
  return (rollout?.device_timeout_seconds ?? rolloutDefaults.deviceTimeoutSeconds) * 1000;
}

export function maxAttemptsOf(rollout: Rollout | undefined): number {
  return rollout?.retry?.max_attempts ?? rolloutDefaults.retry.maxAttempts;
}

// A batch writes about six events per send of each of its devices; its size keeps the worst
// case (every device needs every attempt) inside the batch's event budget.
export function batchSizeOf(rollout: Rollout | undefined): number {
  const perDevice = 6 * maxAttemptsOf(rollout) + 6;
  const size = Math.floor(rolloutLimits.batchEventBudget / perDevice);
  return Math.min(rolloutLimits.maximumBatchSize, Math.max(rolloutLimits.minimumBatchSize, size));
}

// How long each send waits for an answer before the command is sent again: the retry intervals
// (initial, times the coefficient, capped), and the last send waits until the deadline, so
// retries never shorten it. Sends that would start after the deadline are not made.
export function sendWindowsOf(
  rollout: Rollout | undefined,
  deadline = deviceDeadlineMillisecondsOf(rollout),
): number[] {
  const retry = rollout?.retry ?? {};
  const initial = (retry.initial_interval_seconds ?? rolloutDefaults.retry.initialIntervalSeconds) * 1000;
  const coefficient = retry.backoff_coefficient ?? rolloutDefaults.retry.backoffCoefficient;
  const maximum = Math.max(initial, (retry.max_interval_seconds ?? rolloutDefaults.retry.maxIntervalSeconds) * 1000);
  const windows: number[] = [];
  let elapsed = 0;
  for (let send = 1; send < maxAttemptsOf(rollout); send++) {
    const wait = Math.min(maximum, initial * coefficient ** (send - 1));
    if (elapsed + wait >= deadline) break;
    windows.push(wait);
    elapsed += wait;
  }
  windows.push(deadline - elapsed);
  return windows;
}

export function progressSentence(counts: BulkCounts): string {
  const finished = finishedCount(counts) + counts.skipped + counts.canceled;
  return `${finished}/${counts.total} devices finished: ${counts.success} success, ${counts.fail} fail, ${counts.timed_out} timed out, ${counts.skipped} skipped, ${counts.canceled} canceled`;
}

// What a schema cannot check because it depends on the time of the request or on the target: a
// continuous rollout needs a fleet (named devices never change) and an `until` still ahead,
// after `start_at`. Undefined when the rollout's timing is sound.
export function rolloutTimingProblem(
  rollout: Rollout | undefined,
  now: number,
  overFleet: boolean,
): { field: string; message: string } | undefined {
  const continuous = rollout?.continuous;
  if (!continuous) return undefined;
  const field = 'rollout.continuous.until';
  if (!overFleet) return { field: 'rollout.continuous', message: 'applies only to actions over a fleet' };
  const until = Date.parse(continuous.until);
  if (until <= now) return { field, message: 'must be in the future' };
  if (rollout.start_at && until <= Date.parse(rollout.start_at)) return { field, message: 'must be after start_at' };
  return undefined;
}
