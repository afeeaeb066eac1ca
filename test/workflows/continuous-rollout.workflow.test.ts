import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { rolloutStatusQuery } from '../../workflows/definitions';
import { rolloutWorkflow } from '../../workflows/rollout.workflow';
import { fakeActivities } from '../support/fake-activities';
import { addTagsInput, rebootInput } from '../support/rollout-inputs';
import { timeSkippingSuite } from '../support/time-skipping-suite';

const day = 24 * 3600_000;

// Every run of an execution, first to last, with its history length: continue-as-new chains them.
async function runLengths(
  environment: TestWorkflowEnvironment,
  handle: WorkflowHandleWithFirstExecutionRunId,
): Promise<number[]> {
  const lengths: number[] = [];
  let runId: string | undefined = handle.firstExecutionRunId;
  while (runId) {
    const events: temporal.api.history.v1.IHistoryEvent[] =
      (await environment.client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events ?? [];
    lengths.push(events.length);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return lengths;
}

// A week of workflow time in seconds: the time-skipping server skips the check timers.
describe('continuous rollouts (time-skipping test server, fake registry)', () => {
  const suite = timeSkippingSuite('continuous');
  const { withWorker } = suite;

  it('when devices join the fleet during a week-long continuous rollout, then each gets the action once and every run stays small', async () => {
    const joining = new Map([
      [10, 2],
      [500, 3],
      [1000, 1],
    ]);
    const fake = fakeActivities(5, { joinOnCheck: (check) => joining.get(check) ?? 0 });
    const until = new Date((await suite.environment.currentTimeMs()) + 7 * day).toISOString();
    const { result, lengths } = await withWorker(fake, async (taskQueue) => {
      const handle = await suite.environment.client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: 'c1',
        args: [addTagsInput('c1', { continuous: { until, check_interval_seconds: 600 } })],
      });
      const result = await handle.result();
      return { result, lengths: await runLengths(suite.environment, handle) };
    });
    assert.equal(result.status, 'completed');
    assert.equal(fake.applied.size, 11, 'the 5 devices, then 6 that joined');
    assert.deepEqual(new Set(fake.applied.values()), new Set([1]), 'each device once');
    assert.ok(fake.checks() >= 1000, `a check every 10 minutes for a week (${fake.checks()})`);
    assert.ok(lengths.length > 1, 'the history was handed over (continue-as-new)');
    for (const length of lengths) assert.ok(length <= 10_000, `a run of ${length} events`);
    const total = lengths.reduce((sum, length) => sum + length, 0);
    console.log(`continuous, 10-minute checks: ${total} events in 7 days over ${lengths.length} runs`);
  });

  it('when a device joins the fleet of a continuous command rollout, then a sweep sends it the command once', async () => {
    const fake = fakeActivities(4, { joinOnCheck: (check) => (check === 3 ? 2 : 0) });
    const until = new Date((await suite.environment.currentTimeMs()) + day).toISOString();
    const result = await withWorker(fake, async (taskQueue) => {
      const handle = await suite.environment.client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: 'c2',
        args: [rebootInput('c2', { continuous: { until, check_interval_seconds: 3600 } })],
      });
      let view = await handle.query(rolloutStatusQuery);
      for (let tries = 0; !view.waitingFor?.includes('come to match') && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        view = await handle.query(rolloutStatusQuery);
      }
      assert.match(view.waitingFor ?? '', /devices that come to match the fleet until/);
      return handle.result();
    });
    assert.equal(result.status, 'completed');
    assert.equal(fake.attempts.size, 6, 'the 4 devices, then the 2 that joined');
    for (const [device, sends] of fake.attempts) assert.equal(sends.length, 1, `${device} commanded once`);
    assert.equal(fake.results.size, 6);
  });
});
