import type { StatusReason } from './bulk-action.types';
import type { BulkCounts, BulkStatus } from './statuses';

// Zero-import (types only): the words an operator reads about a running rollout wherever they look
// — the Temporal UI (current details, the summary of each wait in the timeline), the API's view and
// the CLI. They are built from what the API shows, so every place says the same thing.

// The API's `stage` (contracts/rollout-view.ts `stageViewOf`), null without stages.
export interface StageView {
  index: number;
  of: number;
  name: string;
  devices: number | null;
  phase: 'approval' | 'dispatching' | 'settling' | 'baking';
  min_success_rate: number | null;
  bake_until: string | null;
}

export interface ConsoleView {
  status: BulkStatus;
  counts: BulkCounts;
  statusReason: StatusReason | null;
  waitingFor: string | null;
  stage: StageView | null;
}

export function finishedOf(counts: BulkCounts): number {
  return counts.success + counts.fail + counts.unhealthy + counts.timed_out + counts.skipped + counts.canceled;
}

const phaseWords: Record<StageView['phase'], string> = {
  approval: 'waits for an approval to start',
  dispatching: 'sending',
  settling: 'waiting for its answers',
  baking: 'baking',
};

// "Stage 1 of 2: canary (50 devices), waiting for its answers; gate 80% success".
export function stageSentence(stage: StageView): string {
  const devices = stage.devices === null ? '' : ` (${stage.devices} devices)`;
  const phase =
    stage.phase === 'baking' && stage.bake_until ? `baking until ${stage.bake_until}` : phaseWords[stage.phase];
  const gate = stage.min_success_rate === null ? '' : `; gate ${Math.round(stage.min_success_rate * 100)}% success`;
  return `Stage ${stage.index + 1} of ${stage.of}: ${stage.name}${devices}, ${phase}${gate}`;
}

// "466/1000 devices finished: 378 success, 6 fail, 10 timed out, 72 skipped, 0 canceled; 24 waiting".
export function progressLine(counts: BulkCounts): string {
  const waiting = counts.sent + counts.in_progress + counts.enqueued;
  const unhealthy = counts.unhealthy > 0 ? `, ${counts.unhealthy} unhealthy` : '';
  const waitingPart = waiting > 0 ? `; ${waiting} waiting for an answer (${counts.enqueued} offline)` : '';
  return `${finishedOf(counts)}/${counts.total} devices finished: ${counts.success} success, ${counts.fail} fail${unhealthy}, ${counts.timed_out} timed out, ${counts.skipped} skipped, ${counts.canceled} canceled${waitingPart}`;
}

// The Temporal UI's current details: status and progress, the stage, what it waits for, and why it
// stopped once it did.
export function consoleDetails(view: ConsoleView): string {
  const lines = [`${view.status}: ${progressLine(view.counts)}`];
  if (view.stage) lines.push(stageSentence(view.stage));
  if (view.waitingFor) lines.push(`Waiting for: ${view.waitingFor}`);
  if (view.statusReason) lines.push(`Reason: ${view.statusReason.code}: ${view.statusReason.message}`);
  return lines.join('\n');
}
