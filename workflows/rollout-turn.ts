import { condition, sleep } from '@temporalio/workflow';
import type { RolloutModel } from '../contracts/rollout-model';
import type { TerminalBulkStatus } from '../contracts/statuses';
import type { RolloutRecorder } from './rollout-record';

const dueAtOnceMilliseconds = 100;

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
  if (wakeAt === null) {
    await condition(changed);
    return null;
  }
  // No summary on these timers: the time-skipping test server cannot record a timer's user
  // metadata; the current details say what the rollout waits for.
  const wait = Math.max(1, wakeAt - Date.now());
  // A wait due at once is slept through, never cancelled: the time-skipping test server rejects
  // cancelling a timer that fired while the workflow task ran ("invalid history builder state for
  // action") and the rollout hangs there; what arrives meanwhile waits at most this long.
  if (wait <= dueAtOnceMilliseconds) await sleep(wait);
  else await condition(changed, wait);
  return null;
}
