import type { StatusReason } from './bulk-action.types';
import type { AbortRule, StagePlan } from './rollout-plan';
import type { BulkCounts, TerminalBulkStatus } from './statuses';

// The rollout's judgements over counts, pure. "Answered" devices sent an answer that says how
// the command went (success, fail, or unhealthy after it); "finished" devices answered or ran out
// of time. Skipped and canceled devices say nothing about the command's health.

export function answeredCount(counts: BulkCounts): number {
  return counts.success + counts.fail + counts.unhealthy;
}

export function finishedCount(counts: BulkCounts): number {
  return answeredCount(counts) + counts.timed_out;
}

export function finalStatusOf(counts: BulkCounts): TerminalBulkStatus {
  return counts.fail + counts.timed_out + counts.unhealthy > 0 ? 'completed_with_errors' : 'completed';
}

// A stage's gate judges its own answered devices; a stage nobody answered proves nothing and
// does not pass (unless its minimum is 0).
export function stageVerdictOf(stage: StagePlan, counts: BulkCounts): StatusReason | undefined {
  const minimum = stage.minSuccessRate;
  const answered = answeredCount(counts);
  const rate = answered === 0 ? 0 : counts.success / answered;
  if (minimum === 0 || (answered > 0 && rate >= minimum)) return undefined;
  // What the gate counted against the stage, by kind: an operator reads why at once.
  const against = [
    counts.fail > 0 ? `${counts.fail} fail` : '',
    counts.unhealthy > 0 ? `${counts.unhealthy} unhealthy` : '',
    counts.timed_out > 0 ? `${counts.timed_out} did not answer` : '',
  ].filter(Boolean);
  const silent = against.length > 0 ? `; ${against.join(', ')}` : '';
  const code = stage.label === 'canary' ? 'canary_below_success_rate' : 'stage_below_success_rate';
  return {
    code,
    message: `${stage.label}: ${counts.success} of ${answered} answered devices succeeded (${rate.toFixed(2)} < ${minimum.toFixed(2)})${silent}`,
  };
}

const failuresOf: Record<AbortRule['on'], (counts: BulkCounts) => number> = {
  fail: (counts) => counts.fail,
  timed_out: (counts) => counts.timed_out,
  unhealthy: (counts) => counts.unhealthy,
  any: (counts) => counts.fail + counts.timed_out + counts.unhealthy,
};

// The first abort criterion met, once enough devices finished; its reason names it.
export function abortReasonOf(rules: readonly AbortRule[], counts: BulkCounts): StatusReason | undefined {
  const finished = finishedCount(counts);
  for (const rule of rules) {
    if (finished < rule.minFinished) continue;
    const failed = failuresOf[rule.on](counts);
    const what = rule.on === 'any' ? 'failed, timed out or were unhealthy' : `ended ${rule.on}`;
    if ('rate' in rule.threshold) {
      if (failed / finished < rule.threshold.rate) continue;
      return {
        code: 'failure_rate_exceeded',
        message: `${rule.on}: ${failed} of ${finished} finished devices ${what} (${(failed / finished).toFixed(2)} >= ${rule.threshold.rate.toFixed(2)})`,
      };
    }
    if (failed < rule.threshold.count) continue;
    return {
      code: 'failure_count_exceeded',
      message: `${rule.on}: ${failed} of ${finished} finished devices ${what} (>= ${rule.threshold.count})`,
    };
  }
  return undefined;
}
