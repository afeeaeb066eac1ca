import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../../config/config';
import { rolloutWorkflow } from '../../workflows/rollout.workflow';
import { rolloutStatusQuery } from '../../workflows/definitions';
import { fakeActivities } from '../support/fake-activities';
import { addTagsInput } from '../support/rollout-inputs';
import { sharedWorkflowBundle } from '../support/workflow-bundle';

const taskQueue = 'workflow-test';
// Registry pages of 2,000 devices, 50 pages a run (workflows/registry-pass.ts).
const pagedDevicesPerRun = 2_000 * 50;

describe('bulk action workflow (time-skipping test server)', () => {
  let environment: TestWorkflowEnvironment;

  before(async () => {
    environment = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: loadConfig().temporal.testServerPath } },
    });
  });
  after(async () => {
    await environment?.teardown();
  });

  async function runWith<T>(fake: ReturnType<typeof fakeActivities>, work: () => Promise<T>): Promise<T> {
    const worker = await Worker.create({
      connection: environment.nativeConnection,
      taskQueue,
      workflowBundle: await sharedWorkflowBundle(),
      activities: fake.activities,
    });
    return worker.runUntil(work);
  }

  it('when the fleet spans several pages, then every device is applied once and counts add up', async () => {
    const fake = fakeActivities(4_321);
    const outcome = await runWith(fake, () =>
      environment.client.workflow.execute(rolloutWorkflow, {
        taskQueue,
        workflowId: 'a1',
        args: [addTagsInput('a1')],
      }),
    );
    assert.equal(outcome.status, 'completed');
    assert.equal(fake.applied.size, 4_321);
    assert.ok([...fake.applied.values()].every((times) => times === 1));
    assert.equal(outcome.counts.success, 4_321);
  });

  it('when the walk outgrows one run, then it continues as new and carries its counts', async () => {
    const fake = fakeActivities(pagedDevicesPerRun + 7);
    const { outcome, runId, firstRunId } = await runWith(fake, async () => {
      const handle = await environment.client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: 'a2',
        args: [addTagsInput('a2')],
      });
      const result = await handle.result();
      const description = await handle.describe();
      return { outcome: result, runId: description.runId, firstRunId: handle.firstExecutionRunId };
    });
    assert.notEqual(runId, firstRunId, 'expected at least one continue-as-new');
    assert.equal(fake.applied.size, pagedDevicesPerRun + 7);
    assert.equal(fake.finalized.length, 1);
    assert.equal(fake.finalized[0]?.total, pagedDevicesPerRun + 7);
    assert.equal(outcome.counts.total, pagedDevicesPerRun + 7);
  });

  it('when cancelled mid-rollout, then the summary is stored as canceled and the workflow ends canceled', async () => {
    const fake = fakeActivities(20_000, { pageDelayMilliseconds: 100 });
    await runWith(fake, async () => {
      const handle = await environment.client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: 'a3',
        args: [addTagsInput('a3')],
      });
      while ((await handle.query(rolloutStatusQuery)).counts.success === 0)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await handle.cancel();
      await assert.rejects(handle.result(), WorkflowFailedError);
    });
    assert.equal(fake.finalized.length, 1);
    assert.equal(fake.finalized[0]?.status, 'canceled');
    assert.ok(fake.applied.size < 20_000);
  });
});
