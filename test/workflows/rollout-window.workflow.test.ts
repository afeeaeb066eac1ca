import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Rollout } from '../../contracts/fleet-action.schema';
import { deviceActivityId } from '../../contracts/ids';
import { rolloutWorkflow } from '../../workflows/rollout.workflow';
import { fakeActivities } from '../support/fake-activities';
import { startLocalWorkflowEnvironment } from '../support/local-workflow-environment';
import { rebootInput } from '../support/rollout-inputs';
import { sharedWorkflowBundle } from '../support/workflow-bundle';

const firstCall = (fake: ReturnType<typeof fakeActivities>, indexes: number[]) =>
  Math.min(...indexes.map((index) => fake.attempts.get(fake.deviceIds[index]!)![0]!));
const lastCall = (fake: ReturnType<typeof fakeActivities>, indexes: number[]) =>
  Math.max(...indexes.map((index) => fake.attempts.get(fake.deviceIds[index]!)![0]!));

// Slow and offline devices never hold the others back; the deadline is the deadline. Real seconds.
describe('rollout window and deadlines (Temporal dev server, fake devices)', () => {
  let environment: TestWorkflowEnvironment;
  let queue = 0;

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    environment = await startLocalWorkflowEnvironment();
  });
  after(async () => {
    await environment?.teardown();
  });

  async function run(fake: ReturnType<typeof fakeActivities>, id: string, rollout: Rollout) {
    const taskQueue = `window-${(queue += 1)}`;
    const worker = await Worker.create({
      connection: environment.nativeConnection,
      taskQueue,
      workflowBundle: await sharedWorkflowBundle(),
      activities: fake.activities,
    });
    return worker.runUntil(
      environment.client.workflow.execute(rolloutWorkflow, {
        taskQueue,
        workflowId: id,
        args: [rebootInput(id, rollout)],
      }),
    );
  }

  it('when silent devices are spread through every page, then later pages are dispatched before the first silent device times out', async () => {
    const silent = (index: number) => index % 50 === 7;
    const fake = fakeActivities(1_000, { behaviour: (index) => (silent(index) ? 'never' : { status: 'success' }) });
    const outcome = await run(fake, 'w1', {
      max_in_flight: 100,
      device_timeout_seconds: 12,
      retry: { max_attempts: 1 },
    });
    const silentIndexes = [...Array(1_000).keys()].filter(silent);
    const answering = [...Array(1_000).keys()].filter((index) => !silent(index));
    assert.equal(outcome.counts.success, 980);
    assert.equal(outcome.counts.timed_out, 20);
    assert.ok(
      lastCall(fake, answering) < firstCall(fake, silentIndexes) + 12_000,
      'every answering device was commanded before the first silent one reached its deadline',
    );
    const batches = [0, 1].map((batch) => `${'w1'.padStart(24, '0')}-batch-${batch}`);
    for (const id of ['w1', ...batches]) {
      const history = await environment.client.workflow.getHandle(id).fetchHistory();
      assert.ok((history.events?.length ?? 0) < 10_000, `${id}: ${history.events?.length} events`);
    }
  });

  it('when half the devices are offline, then they wait enqueued outside max_in_flight and the online ones all answer first', async () => {
    const offline = (index: number) => index % 2 === 0;
    const fake = fakeActivities(60, {
      offline,
      behaviour: (index) => (offline(index) ? 'never' : { status: 'success' }),
    });
    const outcome = await run(fake, 'w2', { max_in_flight: 5, device_timeout_seconds: 8, retry: { max_attempts: 1 } });
    const online = [...Array(60).keys()].filter((index) => !offline(index));
    assert.equal(outcome.counts.success, 30);
    assert.equal(outcome.counts.timed_out, 30);
    assert.ok(lastCall(fake, online) < firstCall(fake, online) + 6_000, 'five offline devices did not fill the window');
  });

  it('when a device answers only the second send, then it is a success with two sends, inside the deadline', async () => {
    const fake = fakeActivities(10, {
      behaviour: (_index, call) => (call === 1 ? 'never' : { status: 'success' }),
      completeWaiting: (input, answer) =>
        environment.client.activity.complete(
          { workflowId: input.batchWorkflowId, activityId: deviceActivityId(input.device.deviceId) },
          answer,
        ),
    });
    const outcome = await run(fake, 'w3', {
      device_timeout_seconds: 6,
      retry: { max_attempts: 3, initial_interval_seconds: 0.5 },
    });
    assert.equal(outcome.counts.success, 10);
    assert.ok([...fake.results.values()].every((result) => result.status === 'success' && result.attempts === 2));
    assert.ok([...fake.sends.values()].every((sends) => sends.join() === '1,2'));
  });

  it('when preparing a batch fails for good, then the rollout ends failed with its reason and the summary stored', async () => {
    const fake = fakeActivities(20, { failPrepare: true });
    await assert.rejects(run(fake, 'w4', {}), WorkflowFailedError);
    const finalized = fake.finalized.at(-1);
    assert.equal(finalized?.status, 'failed');
    assert.equal(finalized?.statusReason?.code, 'workflow_failed');
    assert.match(finalized?.statusReason?.message ?? '', /registry schema mismatch/);
  });
});
