import type { ActivityOptions } from '@temporalio/workflow';
import type { Rollout } from '../../contracts/fleet-action.schema';
import { rolloutDefaults } from '../../contracts/rollout-defaults';
import type { BulkCounts } from '../../contracts/statuses';

export interface AbortBaseline {
  finished: number;
  failed: number;
}

export function abortBaselineOf(counts: BulkCounts): AbortBaseline {
  return { finished: counts.success + counts.fail + counts.timed_out, failed: counts.fail + counts.timed_out };
}

// Abort once enough devices have answered and too many of them failed; skipped devices and
// cancellations say nothing about the command's health, so they do not count.
export function abortThresholdReached(
  rollout: Rollout | undefined,
  baseline: AbortBaseline,
  batch: BulkCounts,
): boolean {
  if (!rollout?.abort) return false;
  const finished = baseline.finished + batch.success + batch.fail + batch.timed_out;
  const failed = baseline.failed + batch.fail + batch.timed_out;
  return finished >= rollout.abort.min_finished && failed / finished >= rollout.abort.failure_rate;
}

// The device deadline covers every attempt; each attempt waits its share of it for an answer.
export function deviceActivityOptions(rollout: Rollout | undefined) {
  const retry = rollout?.retry ?? {};
  const maxAttempts = retry.max_attempts ?? rolloutDefaults.retry.maxAttempts;
  const deviceTimeoutMilliseconds = (rollout?.device_timeout_seconds ?? rolloutDefaults.deviceTimeoutSeconds) * 1000;
  const initialIntervalSeconds = retry.initial_interval_seconds ?? rolloutDefaults.retry.initialIntervalSeconds;
  const maxIntervalSeconds = Math.max(
    initialIntervalSeconds,
    retry.max_interval_seconds ?? rolloutDefaults.retry.maxIntervalSeconds,
  );
  const activityOptions: ActivityOptions = {
    scheduleToCloseTimeout: deviceTimeoutMilliseconds,
    startToCloseTimeout: Math.max(1000, Math.floor(deviceTimeoutMilliseconds / maxAttempts)),
    retry: {
      maximumAttempts: maxAttempts,
      initialInterval: initialIntervalSeconds * 1000,
      backoffCoefficient: retry.backoff_coefficient ?? rolloutDefaults.retry.backoffCoefficient,
      maximumInterval: maxIntervalSeconds * 1000,
    },
  };
  return {
    activityOptions,
    deviceTimeoutMilliseconds,
    maxInFlight: rollout?.max_in_flight ?? rolloutDefaults.maxInFlight,
  };
}

export function batchSizeOf(rollout: Rollout | undefined): number {
  const window = rollout?.max_in_flight ?? rolloutDefaults.maxInFlight;
  return Math.min(rolloutDefaults.maximumBatchSize, Math.max(rolloutDefaults.minimumBatchSize, 2 * window));
}

// How many devices the canary walks before its gate: a count, or a share of the total.
export function canarySizeOf(rollout: Rollout | undefined, total: number): number {
  const canary = rollout?.canary;
  if (!canary) return 0;
  return canary.count ?? Math.max(1, Math.ceil((total * (canary.percent ?? 0)) / 100));
}

export function canaryPassed(rollout: Rollout | undefined, counts: BulkCounts): boolean {
  const finished = counts.success + counts.fail + counts.timed_out;
  if (finished === 0) return true;
  return counts.success / finished >= (rollout?.canary?.min_success_rate ?? 1);
}
