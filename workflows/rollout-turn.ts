import { condition } from '@temporalio/workflow';
import type { RolloutModel } from '../contracts/rollout-model';
import type { TerminalBulkStatus } from '../contracts/statuses';
import type { RolloutRecorder } from './rollout-record';

// The end of every turn of a rollout: the model moves on as far as it can; the record and the
// Temporal UI are told; then the rollout sleeps until something changes the model (answers
// counted, an operator, a launch or page done) or its next due time. Answers the final status
// once the rollout may end.
export async function endTurn(
  model: RolloutModel,
  recorder: RolloutRecorder,
  now: number,
): Promise<TerminalBulkStatus | null> {
  const ended = model.advance(now);
  recorder.noteChanges();
  if (ended) return ended;
  const version = model.version;
  const changed = () => model.version !== version;
  const wakeAt = model.nextWakeAt(Date.now());
  // No summary on this timer: the time-skipping test server cannot record a timer's user metadata
  // ("invalid history builder state"); the current details say what the rollout waits for.
  if (wakeAt === null) await condition(changed);
  else await condition(changed, Math.max(1, wakeAt - Date.now()));
  return null;
}
