import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Rollout } from '../../contracts/fleet-action.schema';
import { rolloutWorkflow } from '../../workflows/rollout.workflow';
import { rolloutStatusQuery, pauseSignal, resumeSignal } from '../../workflows/definitions';
import { fakeActivities } from '../support/fake-activities';
import { startLocalWorkflowEnvironment } from '../support/local-workflow-environment';
import { rebootInput } from '../support/rollout-inputs';
import { sharedWorkflowBundle } from '../support/workflow-bundle';

const until = async (check: () => boolean | Promise<boolean>) => {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 25));
};

describe('device rollouts (Temporal dev server, fake devices)', () => {
  let environment: TestWorkflowEnvironment;
  let queue = 0;

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    environment = await startLocalWorkflowEnvironment();
  });
  after(async () => {
    await environment?.teardown();
  });

  async function withWorker<T>(
    fake: ReturnType<typeof fakeActivities>,
    work: (taskQueue: string) => Promise<T>,
  ): Promise<T> {
    const taskQueue = `rollout-${(queue += 1)}`;
    const worker = await Worker.create({
      connection: environment.nativeConnection,
      taskQueue,
      workflowBundle: await sharedWorkflowBundle(),
      activities: fake.activities,
    });
    return worker.runUntil(work(taskQueue));
  }

  it('when batches split the fleet, then every eligible device is commanded exactly once and counts are exact', async () => {
    const fake = fakeActivities(1_234, { skipEvery: 7 });
    const outcome = await withWorker(fake, (taskQueue) =>
      environment.client.workflow.execute(rolloutWorkflow, {
        taskQueue,
        workflowId: 'd1',
        args: [rebootInput('d1', { max_in_flight: 50 })],
      }),
    );
    const skipped = fake.deviceIds.filter((_, index) => index % 7 === 0).length;
    assert.equal(outcome.status, 'completed');
    assert.equal(outcome.counts.skipped, skipped);
    assert.equal(outcome.counts.success, 1_234 - skipped);
    assert.equal(fake.attempts.size, 1_234 - skipped);
    assert.ok([...fake.attempts.values()].every((tries) => tries.length === 1));
  });

  it('when a publish fails twice, then it is published again within the send and the third try succeeds', async () => {
    const fake = fakeActivities(20, {
      behaviour: (_index, attempt) => (attempt < 3 ? 'error' : { status: 'success' }),
    });
    const rollout: Rollout = {
      retry: { max_attempts: 3, initial_interval_seconds: 600, backoff_coefficient: 2 },
      device_timeout_seconds: 86_400,
    };
    const started = Date.now();
    const outcome = await withWorker(fake, (taskQueue) =>
      environment.client.workflow.execute(rolloutWorkflow, {
        taskQueue,
        workflowId: 'd2',
        args: [rebootInput('d2', rollout)],
      }),
    );
    assert.equal(
      outcome.counts.success,
      20,
      JSON.stringify({
        outcome,
        results: [...fake.results.values()].slice(0, 2),
        attempts: [...fake.attempts.values()].slice(0, 2),
      }),
    );
    assert.ok([...fake.attempts.values()].every((tries) => tries.length === 3));
    assert.ok(Date.now() - started < 60_000, 'publish retries take seconds, not the 10-minute send window');
  });

  it('when devices never answer, then they end timed_out at their deadline, each attempt re-sent', async () => {
    const fake = fakeActivities(30, { behaviour: () => 'never' });
    const rollout: Rollout = { device_timeout_seconds: 3, retry: { max_attempts: 2, initial_interval_seconds: 0.1 } };
    const outcome = await withWorker(fake, (taskQueue) =>
      environment.client.workflow.execute(rolloutWorkflow, {
        taskQueue,
        workflowId: 'd3',
        args: [rebootInput('d3', rollout)],
      }),
    );
    assert.equal(outcome.status, 'completed_with_errors');
    assert.equal(outcome.counts.timed_out, 30);
    assert.ok([...fake.results.values()].every((result) => result.status === 'timed_out'));
    assert.ok([...fake.attempts.values()].every((tries) => tries.length === 2));
  });

  it('when failures pass the abort threshold, then nothing more is sent, in-flight devices answer, the rest ends canceled', async () => {
    const fake = fakeActivities(600, { behaviour: () => ({ status: 'fail', message: 'flash write error' }) });
    const rollout: Rollout = { max_in_flight: 5, abort: { failure_rate: 0.5, min_finished: 10 } };
    const outcome = await withWorker(fake, (taskQueue) =>
      environment.client.workflow.execute(rolloutWorkflow, {
        taskQueue,
        workflowId: 'd4',
        args: [rebootInput('d4', rollout)],
      }),
    );
    assert.equal(outcome.status, 'aborted');
    assert.ok(outcome.counts.fail >= 10 && outcome.counts.fail < 10 + 5, `fail ${outcome.counts.fail}`);
    assert.equal(outcome.counts.fail + outcome.counts.canceled, 600);
    assert.ok(fake.attempts.size < 20);
  });

  it('when the canary passes with then=pause, then the rollout waits for resume and finishes the fleet', async () => {
    const fake = fakeActivities(300);
    const rollout: Rollout = { canary: { count: 10, min_success_rate: 0.9, then: 'pause' } };
    const outcome = await withWorker(fake, async (taskQueue) => {
      const handle = await environment.client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: 'd5',
        args: [rebootInput('d5', rollout)],
      });
      await until(async () => (await handle.query(rolloutStatusQuery)).status === 'paused');
      const paused = await handle.query(rolloutStatusQuery);
      assert.equal(paused.counts.success, 10);
      assert.equal(fake.attempts.size, 10);
      await handle.signal(resumeSignal);
      return handle.result();
    });
    assert.equal(outcome.status, 'completed');
    assert.equal(outcome.counts.success, 300);
    assert.deepEqual(fake.announced, [
      'bulk_response.started',
      'bulk_response.paused',
      'bulk_response.resumed',
      'bulk_response.completed',
    ]);
  });

  it('when the canary fails its success rate, then the rollout is aborted after the canary', async () => {
    const fake = fakeActivities(300, {
      behaviour: (index) => (index % 2 === 0 ? { status: 'fail' } : { status: 'success' }),
    });
    const rollout: Rollout = { canary: { percent: 10, min_success_rate: 0.9, then: 'continue' } };
    const outcome = await withWorker(fake, (taskQueue) =>
      environment.client.workflow.execute(rolloutWorkflow, {
        taskQueue,
        workflowId: 'd6',
        args: [rebootInput('d6', rollout)],
      }),
    );
    assert.equal(outcome.status, 'aborted');
    assert.equal(fake.attempts.size, 30);
    assert.equal(outcome.counts.canceled, 270);
  });

  it('when paused mid-rollout, then no new device is commanded until resume', async () => {
    const fake = fakeActivities(400, { answerDelayMilliseconds: 5 });
    const outcome = await withWorker(fake, async (taskQueue) => {
      const handle = await environment.client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: 'd7',
        args: [rebootInput('d7', { max_in_flight: 4 })],
      });
      await until(() => fake.attempts.size >= 20);
      await handle.signal(pauseSignal);
      await until(async () => (await handle.query(rolloutStatusQuery)).status === 'paused');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const whilePaused = fake.attempts.size;
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(fake.attempts.size, whilePaused, 'no device may be commanded while paused');
      assert.ok(whilePaused < 400);
      await handle.signal(resumeSignal);
      return handle.result();
    });
    assert.equal(outcome.counts.success, 400);
  });

  it('when cancelled while devices wait, then every device ends canceled and the summary is stored', async () => {
    const fake = fakeActivities(50, { behaviour: () => 'never' });
    await withWorker(fake, async (taskQueue) => {
      const handle = await environment.client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: 'd8',
        args: [rebootInput('d8', { max_in_flight: 20 })],
      });
      await until(() => fake.attempts.size === 20);
      await handle.cancel();
      await assert.rejects(handle.result(), WorkflowFailedError);
    });
    assert.equal(fake.finalized.at(-1)?.status, 'canceled');
    assert.equal(fake.attempts.size, 20);
    assert.equal([...fake.results.values()].filter((result) => result.status === 'canceled').length, 50);
  });
});
