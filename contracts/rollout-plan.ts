import type { Rollout } from './fleet-action.schema';
import type { MaintenanceWindow } from './maintenance-windows';
import { rolloutDefaults } from './rollout-defaults';

// A request's rollout controls, resolved once into the numbers the rollout model works with:
// defaults applied, the retry schedule turned into send times, the canary turned into a stage.
// Deterministic and import-free of I/O, so the workflow, the dry run and the API agree.

export interface StagePlan {
  // What the stage's gate is called in status reasons and waits ("canary", "stage 2").
  label: string;
  size: { count: number } | { percent: number };
  minSuccessRate: number;
  bakeMilliseconds: number;
  then: 'continue' | 'pause' | 'approve';
}

// A stage as a sentence names it: "the canary", "stage 2", or "the rest of the fleet" after the
// last one.
export function stageTitle(plan: RolloutPlan, index: number): string {
  const label = plan.stages[index]?.label;
  if (label === undefined) return 'the rest of the fleet';
  return label === 'canary' ? 'the canary' : label;
}

// What an approval at a stage lets start: before stage 0 (approval.required), the first device.
export function approvalSubject(plan: RolloutPlan, stageIndex: number): string {
  return stageIndex === 0 ? 'the first device' : stageTitle(plan, stageIndex);
}

export interface AbortRule {
  // Which final statuses count as failures: `any` is fail + timed_out + unhealthy.
  on: 'fail' | 'timed_out' | 'unhealthy' | 'any';
  // A share of the finished devices, or a number of devices.
  threshold: { rate: number } | { count: number };
  minFinished: number;
}

// Pace that grows: `startPerMinute`, times `factor` for every `everySucceeded` devices that
// succeeded, never above `maxPerMinute`.
export interface RampPlan {
  startPerMinute: number;
  factor: number;
  everySucceeded: number;
  maxPerMinute: number;
}

export interface RolloutPlan {
  maxInFlight: number;
  // Devices offline at dispatch, waiting for their connection, across the whole rollout.
  maxEnqueued: number;
  deadlineMilliseconds: number;
  // When each send after the first goes, in milliseconds after the first; all within the deadline.
  resendOffsets: number[];
  // How long after a device's deadline its answer is still taken (a last copy of the command at
  // the deadline asks a device that acted for an answer that may have been lost on the way).
  answerGraceMilliseconds: number;
  ratePerMinute: number | null;
  ramp: RampPlan | null;
  // Gated stages before the rest of the fleet; each draws devices online at dispatch.
  stages: StagePlan[];
  abort: AbortRule[];
  // Someone other than the creator approves before the first device is sent to.
  approvalRequired: boolean;
  // A device that answered success must be seen alive again within this, else it is unhealthy.
  confirmHealthMilliseconds: number | null;
  // How far past its dispatch a device may push its deadline by reporting progress.
  maxDeviceMilliseconds: number;
  // From then on nothing new is sent; with `cancel`, devices still waiting end canceled at once.
  end: { at: number; onEnd: 'stop' | 'cancel' } | null;
  windows: readonly MaintenanceWindow[] | null;
  continuous: { untilAt: number; checkIntervalMilliseconds: number } | null;
  startAt: number | null;
  skipOffline: boolean;
}

export const rolloutLimits = {
  maxEnqueued: 5_000,
} as const;

// A quarter of the deadline, between 2 and 15 seconds: long enough for the last copy's answer to
// come back through a broker or worker restart, short next to any deadline.
function answerGraceOf(deadlineMilliseconds: number): number {
  return Math.min(15_000, Math.max(2_000, Math.round(deadlineMilliseconds / 4)));
}

export function planOf(rollout: Rollout | undefined): RolloutPlan {
  const deadlineMilliseconds = (rollout?.device_timeout_seconds ?? rolloutDefaults.deviceTimeoutSeconds) * 1000;
  const continuous = rollout?.continuous;
  return {
    maxInFlight: rollout?.max_in_flight ?? rolloutDefaults.maxInFlight,
    maxEnqueued: rolloutLimits.maxEnqueued,
    deadlineMilliseconds,
    resendOffsets: resendOffsetsOf(rollout, deadlineMilliseconds),
    answerGraceMilliseconds: answerGraceOf(deadlineMilliseconds),
    ratePerMinute: rollout?.rate_per_minute ?? null,
    ramp: rollout?.ramp
      ? {
          startPerMinute: rollout.ramp.start_per_minute,
          factor: rollout.ramp.factor,
          everySucceeded: rollout.ramp.every_succeeded,
          maxPerMinute: rollout.ramp.max_per_minute,
        }
      : null,
    stages: stagesOf(rollout),
    abort: abortRulesOf(rollout),
    approvalRequired: rollout?.approval?.required ?? false,
    confirmHealthMilliseconds: rollout?.confirm_health ? rollout.confirm_health.within_seconds * 1000 : null,
    maxDeviceMilliseconds: Math.max(deadlineMilliseconds, (rollout?.max_device_seconds ?? 0) * 1000),
    end: rollout?.end_at ? { at: Date.parse(rollout.end_at), onEnd: rollout.on_end ?? 'stop' } : null,
    windows: rollout?.windows ?? null,
    continuous: continuous
      ? {
          untilAt: Date.parse(continuous.until),
          checkIntervalMilliseconds:
            (continuous.check_interval_seconds ?? rolloutDefaults.continuousCheckIntervalSeconds) * 1000,
        }
      : null,
    startAt: rollout?.start_at ? Date.parse(rollout.start_at) : null,
    skipOffline: rollout?.skip_offline ?? false,
  };
}

// The canary is the one-stage shorthand.
function stagesOf(rollout: Rollout | undefined): StagePlan[] {
  const sizeOf = (stage: { count?: number | undefined; percent?: number | undefined }) =>
    stage.count !== undefined ? { count: stage.count } : { percent: stage.percent ?? 0 };
  const canary = rollout?.canary;
  if (canary) {
    return [
      {
        label: 'canary',
        size: sizeOf(canary),
        minSuccessRate: canary.min_success_rate,
        bakeMilliseconds: 0,
        then: canary.then,
      },
    ];
  }
  return (rollout?.stages ?? []).map((stage, index) => ({
    label: `stage ${index + 1}`,
    size: sizeOf(stage),
    minSuccessRate: stage.min_success_rate,
    bakeMilliseconds: stage.bake_seconds * 1000,
    then: stage.then,
  }));
}

// The first form (`{failure_rate, min_finished}`) is one criterion on any failure.
function abortRulesOf(rollout: Rollout | undefined): AbortRule[] {
  const abort = rollout?.abort;
  if (!abort) return [];
  if (!Array.isArray(abort))
    return [{ on: 'any', threshold: { rate: abort.failure_rate }, minFinished: abort.min_finished }];
  return abort.map((criterion) => ({
    on: criterion.on,
    threshold: criterion.rate !== undefined ? { rate: criterion.rate } : { count: criterion.count ?? 1 },
    minFinished: criterion.min_finished,
  }));
}

// The retry intervals (initial, times the coefficient, capped) as offsets from the first send;
// sends that would go at or after the deadline are not made, so retries never shorten it.
function resendOffsetsOf(rollout: Rollout | undefined, deadlineMilliseconds: number): number[] {
  const retry = rollout?.retry ?? {};
  const attempts = retry.max_attempts ?? rolloutDefaults.retry.maxAttempts;
  const initial = (retry.initial_interval_seconds ?? rolloutDefaults.retry.initialIntervalSeconds) * 1000;
  const coefficient = retry.backoff_coefficient ?? rolloutDefaults.retry.backoffCoefficient;
  const maximum = Math.max(initial, (retry.max_interval_seconds ?? rolloutDefaults.retry.maxIntervalSeconds) * 1000);
  const offsets: number[] = [];
  let elapsed = 0;
  for (let send = 1; send < attempts; send++) {
    elapsed += Math.min(maximum, initial * coefficient ** (send - 1));
    if (elapsed >= deadlineMilliseconds) break;
    offsets.push(Math.round(elapsed));
  }
  return offsets;
}

// The devices the rollout can count on when it starts; the stages' sizes are shares of these.
export interface Population {
  eligible: number;
  onlineEligible: number;
}

// Each gated stage's size: a count, or a share of the eligible devices (at least one), never
// more than the online eligible devices the stages before it left. The dry run shows the same.
export function stageSizesOf(plan: Pick<RolloutPlan, 'stages'>, population: Population): number[] {
  let onlineLeft = population.onlineEligible;
  return plan.stages.map((stage) => {
    const wanted =
      'count' in stage.size
        ? stage.size.count
        : Math.max(1, Math.ceil((population.eligible * stage.size.percent) / 100));
    const size = Math.max(0, Math.min(wanted, onlineLeft));
    onlineLeft -= size;
    return size;
  });
}
