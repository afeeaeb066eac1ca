import type { StatusReason } from './bulk-action.types';
import { describeWindows } from './maintenance-windows';
import type { RolloutRecordState } from './rollout-model';
import { approvalSubject, stageTitle, type RolloutPlan } from './rollout-plan';
import type { BulkCounts, BulkStatus } from './statuses';

// How a rollout reads to people, from what its record keeps and what its rows say: the same
// words in the workflow's query, the Temporal UI's details, the API and the CLI.

export function statusOf(record: RolloutRecordState): BulkStatus {
  if (record.phase === 'pending') return record.pausedBy ? 'paused' : 'pending';
  if (record.phase === 'ended') return record.finalStatus ?? 'failed';
  // Stopping (canceled by an operator, the end time, the execution ended): canceling; an abort
  // reads processing until its last answers are in, then aborted.
  if (record.phase === 'stopping')
    return record.stop?.kind === 'abort' || record.stop?.kind === 'end' ? 'processing' : 'canceling';
  return record.pausedBy ? 'paused' : 'processing';
}

export function statusReasonOf(record: RolloutRecordState): StatusReason | null {
  return record.stop?.reason ?? null;
}

function iso(instant: number): string {
  return new Date(instant).toISOString();
}

// What the rollout waits for right now, in words an operator can act on; null once it ended.
export function waitingForOf(record: RolloutRecordState, counts: BulkCounts, plan: RolloutPlan): string | null {
  if (record.phase === 'ended') return null;
  if (record.phase === 'pending' && !record.pausedBy)
    return record.startAt ? `the start time ${iso(record.startAt)}` : 'its start';
  const answers = answersWaited(counts);
  if (record.phase === 'stopping') {
    const why =
      record.stop?.kind === 'cancel' ? 'canceled' : record.stop?.kind === 'end' ? 'its end time came' : 'stopped';
    return `${why}: nothing more is sent; ${answers || 'the last devices to be recorded'}`;
  }
  if (record.stage.phase === 'approval') {
    return `an approval to start ${approvalSubject(plan, record.stage.index)}, by an operator or admin other than the one who started the rollout (POST .../approve)`;
  }
  if (record.pausedBy === 'gate') {
    return `resume: ${stageTitle(plan, record.stage.index - 1)} passed its gate and the rollout paused (then: pause)`;
  }
  if (record.pausedBy === 'operator') return `resume (paused by an operator)${answers ? `; meanwhile ${answers}` : ''}`;
  const parts: string[] = [];
  const gated = record.stage.index < record.stageSizes.length;
  if (gated) parts.push(stageWait(record, plan, counts));
  if (record.windowOpensAt !== null && plan.windows) {
    parts.push(`the maintenance window opening at ${iso(record.windowOpensAt)} (${describeWindows(plan.windows)})`);
  }
  if (!gated && answers) parts.push(answers);
  if (plan.continuous && record.walkDone && !record.sweeping) {
    const next = record.nextCheckAt ? `, next check ${iso(record.nextCheckAt)}` : '';
    parts.push(`devices that come to match the fleet until ${iso(plan.continuous.untilAt)}${next}`);
  }
  return parts.length > 0 ? parts.join('; ') : 'the next devices to be sent';
}

function stageWait(record: RolloutRecordState, plan: RolloutPlan, counts: BulkCounts): string {
  const name = stageTitle(plan, record.stage.index);
  const size = record.stageSizes[record.stage.index] ?? 0;
  if (record.stage.phase === 'baking' && record.stage.bakeUntil !== null) {
    return `${name} (${size} devices) to bake until ${iso(record.stage.bakeUntil)}, then its gate`;
  }
  const answers = answersWaited(counts);
  return `the answers of ${name} (${size} devices${answers ? `; ${answers}` : ''}), then its gate`;
}

function answersWaited(counts: BulkCounts): string {
  const parts: string[] = [];
  if (counts.sent + counts.in_progress > 0) parts.push(`${counts.sent + counts.in_progress} online devices to answer`);
  if (counts.enqueued > 0) parts.push(`${counts.enqueued} offline devices to connect or reach their deadline`);
  return parts.join(', ');
}

export function progressSentence(counts: BulkCounts): string {
  const finished =
    counts.success + counts.fail + counts.unhealthy + counts.timed_out + counts.skipped + counts.canceled;
  return `${finished}/${counts.total} devices finished: ${counts.success} success, ${counts.fail} fail, ${counts.timed_out} timed out, ${counts.skipped} skipped, ${counts.canceled} canceled`;
}

// The stage a rollout with stages is in, as the API and the CLI show it; null without stages.
export function stageViewOf(record: RolloutRecordState, plan: RolloutPlan) {
  if (record.stageSizes.length === 0) return null;
  const { index, phase, bakeUntil } = record.stage;
  const gated = index < record.stageSizes.length;
  return {
    index,
    of: record.stageSizes.length + 1,
    name: gated ? (plan.stages[index]?.label ?? stageTitle(plan, index)) : 'the rest of the fleet',
    devices: gated ? (record.stageSizes[index] ?? 0) : null,
    phase,
    min_success_rate: gated ? (plan.stages[index]?.minSuccessRate ?? null) : null,
    bake_until: bakeUntil === null ? null : iso(bakeUntil),
  };
}
