import type { StatusReason } from './bulk-action.types';
import type { BulkCounts, TerminalBulkStatus } from './statuses';

// Zero-import (types only): how a rollout's execution ends in Temporal. Only `completed` completes
// the execution (the Temporal UI's green badge); every other final status fails it with a typed,
// non-retryable failure whose message is the status reason, so the workflow list tells a clean
// rollout from one that needs an operator at a glance. The outcome travels in the failure's
// details, the same shape a completed execution returns. A cancel requested through Temporal (the
// UI's "Request cancellation", `temporal workflow cancel`) keeps Temporal's own CANCELED instead.

export interface RolloutOutcome {
  status: TerminalBulkStatus;
  counts: BulkCounts;
  statusReason: StatusReason | null;
}

export const rolloutEndingFailureTypes = {
  completed_with_errors: 'RolloutCompletedWithErrors',
  aborted: 'RolloutAborted',
  canceled: 'RolloutCanceled',
  failed: 'RolloutFailed',
} as const satisfies Record<Exclude<TerminalBulkStatus, 'completed'>, string>;

export type RolloutEndingFailureType = (typeof rolloutEndingFailureTypes)[keyof typeof rolloutEndingFailureTypes];

export function isRolloutEndingFailureType(type: string | undefined | null): type is RolloutEndingFailureType {
  return Object.values(rolloutEndingFailureTypes).some((known) => known === type);
}

// The sentence the failure carries: the status reason when there is one (aborted, failed,
// canceled), else what did not succeed (completed_with_errors).
export function rolloutEndingMessage(outcome: RolloutOutcome): string {
  if (outcome.statusReason) return outcome.statusReason.message;
  const { counts } = outcome;
  const unsuccessful = counts.fail + counts.unhealthy + counts.timed_out;
  const parts = [
    `${counts.fail} fail`,
    ...(counts.unhealthy > 0 ? [`${counts.unhealthy} unhealthy`] : []),
    `${counts.timed_out} timed out`,
  ];
  return `${unsuccessful} of ${counts.total} devices did not succeed (${parts.join(', ')}; ${counts.success} success, ${counts.skipped} skipped)`;
}
