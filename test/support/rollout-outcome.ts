import { ApplicationFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  isRolloutEndingFailureType,
  rolloutEndingFailureTypes,
  rolloutEndingMessage,
  type RolloutOutcome,
} from '../../contracts/rollout-ending';

// A rollout's outcome however its execution ended: a `completed` rollout returns it; every other
// final status fails the execution with a typed failure that carries it (contracts/rollout-ending.ts).
// The failure's type and message are checked against the outcome it carries, so every test that
// reads an outcome also checks what the Temporal UI shows for it.
export async function rolloutOutcomeOf(handle: Pick<WorkflowHandle, 'result'>): Promise<RolloutOutcome> {
  try {
    const outcome = (await handle.result()) as RolloutOutcome;
    if (outcome.status !== 'completed') throw new Error(`a ${outcome.status} rollout completed its execution`);
    return outcome;
  } catch (error) {
    const failure = error instanceof WorkflowFailedError ? error.cause : undefined;
    if (!(failure instanceof ApplicationFailure) || !isRolloutEndingFailureType(failure.type)) throw error;
    const outcome = failure.details?.[0] as RolloutOutcome;
    if (outcome.status === 'completed' || failure.type !== rolloutEndingFailureTypes[outcome.status])
      throw new Error(`a ${outcome.status} rollout failed its execution with ${failure.type}`, { cause: error });
    if (!failure.nonRetryable) throw new Error('a rollout ending failure must be non-retryable', { cause: error });
    if (failure.message !== rolloutEndingMessage(outcome))
      throw new Error(`the failure says "${failure.message}", not the rollout's reason`, { cause: error });
    return outcome;
  }
}
