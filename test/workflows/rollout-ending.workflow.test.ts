import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { rolloutEndingFailureTypes } from '../../contracts/rollout-ending';
import { cancelUpdate } from '../../workflows/definitions';
import { eventually, within } from '../support/bounded-waits';
import { rolloutOutcomeOf } from '../support/rollout-outcome';
import { rolloutHarness, withFleet, type Fleet } from '../support/rollout-harness';
import { rebootInput } from '../../harness/rollout-inputs';

const minute = 60_000;

type Handle = Awaited<ReturnType<Fleet['start']>>;

// What the Temporal UI shows on the workflow list (the execution's status) and first on a running
// rollout's page (its current details).
async function temporalStatusOf(handle: Handle): Promise<string> {
  return (await handle.describe()).status.name;
}

async function failureOf(handle: Handle): Promise<temporal.api.failure.v1.IFailure | null | undefined> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.find((event) => event.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes
    ?.failure;
}

async function currentDetailsOf(handle: Handle): Promise<string> {
  const metadata = await within(
    handle.query<temporal.api.sdk.v1.IWorkflowMetadata>('__temporal_workflow_metadata'),
    30_000,
    'the metadata query',
  );
  return metadata.currentDetails ?? '';
}

// A rollout's execution completes only when the rollout ended `completed`: every other final
// status fails it with a typed, non-retryable failure whose message is the reason, so the Temporal
// UI's list shows at a glance which rollouts need someone. Real activities and registry, dev server.
describe('how a rollout ends in Temporal (dev server, real activities and registry, fake devices)', () => {
  const harness = rolloutHarness('dev-server');

  it('when every device succeeds, then the execution completes with the outcome, and its waits and details told the canary', async () => {
    await withFleet(harness, 20, {}, async (fleet) => {
      fleet.transport.script = () => ({ status: 'success', afterMilliseconds: 300 });
      const input = rebootInput(fleet.companyId, { canary: { count: 4, min_success_rate: 1, then: 'continue' } });
      const handle = await fleet.start(input);
      const details = await eventually(
        async () => {
          const current = await currentDetailsOf(handle);
          return /Stage 1 of 2: canary \(4 devices\)/.test(current) ? current : undefined;
        },
        30_000,
        'the canary in the current details',
      );
      assert.match(details, /^processing: \d+\/20 devices finished: /);
      assert.match(details, /gate 100% success/);
      const outcome = await within(rolloutOutcomeOf(handle), minute, 'the rollout');
      assert.equal(outcome.status, 'completed');
      assert.equal(await temporalStatusOf(handle), 'COMPLETED');
    });
  });

  it('when devices fail, then the execution fails as RolloutCompletedWithErrors saying what did not succeed', async () => {
    await withFleet(harness, 10, {}, async (fleet) => {
      fleet.transport.script = (deviceId) =>
        deviceId === fleet.deviceIds[0] ? { status: 'fail', message: 'flash write error' } : { status: 'success' };
      const handle = await fleet.start(rebootInput(fleet.companyId));
      const outcome = await within(rolloutOutcomeOf(handle), minute, 'the rollout');
      assert.equal(outcome.status, 'completed_with_errors');
      assert.equal(await temporalStatusOf(handle), 'FAILED');
      const failure = await failureOf(handle);
      assert.equal(failure?.applicationFailureInfo?.type, rolloutEndingFailureTypes.completed_with_errors);
      assert.equal(failure?.applicationFailureInfo?.nonRetryable, true);
      assert.equal(failure?.message, '1 of 10 devices did not succeed (1 fail, 0 timed out; 9 success, 0 skipped)');
    });
  });

  it('when an operator cancels through the API, then the execution fails as RolloutCanceled with the reason', async () => {
    await withFleet(harness, 12, {}, async (fleet) => {
      fleet.transport.script = () => ({ status: 'success', afterMilliseconds: 1_000 });
      const handle = await fleet.start(rebootInput(fleet.companyId, { max_in_flight: 2 }));
      await eventually(() => fleet.transport.published.length >= 2, 30_000, 'the first devices sent to');
      await within(handle.executeUpdate(cancelUpdate), 30_000, 'the cancel Update');
      const outcome = await within(rolloutOutcomeOf(handle), minute, 'the rollout');
      assert.equal(outcome.status, 'canceled');
      assert.equal(await temporalStatusOf(handle), 'FAILED');
      const failure = await failureOf(handle);
      assert.equal(failure?.applicationFailureInfo?.type, rolloutEndingFailureTypes.canceled);
      assert.equal(failure?.message, 'canceled by an operator');
    });
  });
});
