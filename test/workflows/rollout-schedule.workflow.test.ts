import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rollout } from '../../contracts/fleet-action.schema';
import { rolloutStatusQuery } from '../../workflows/definitions';
import { rolloutWorkflow } from '../../workflows/rollout.workflow';
import { fakeActivities } from '../support/fake-activities';
import { rebootInput } from '../support/rollout-inputs';
import { timeSkippingSuite } from '../support/time-skipping-suite';

// Hours of workflow time in seconds: the time-skipping server skips timers while no device
// activity is outstanding (the fake devices answer at once).
describe('rollout schedule (time-skipping test server, fake devices)', () => {
  const suite = timeSkippingSuite('schedule');
  const { withWorker } = suite;

  it('when start_at is hours ahead and a rate is set, then it waits until then and paces commands by the rate', async () => {
    const fake = fakeActivities(12);
    const startAt = new Date((await suite.environment.currentTimeMs()) + 3 * 3600_000).toISOString();
    const rollout: Rollout = { start_at: startAt, rate_per_minute: 6 };
    const outcome = await withWorker(fake, async (taskQueue) => {
      const handle = await suite.environment.client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: 'd9',
        args: [rebootInput('d9', rollout)],
      });
      assert.equal((await handle.query(rolloutStatusQuery)).status, 'pending');
      const result = await handle.result();
      const history = await handle.fetchHistory();
      const batch = await suite.environment.client.workflow
        .getHandle(`${'d9'.padStart(24, '0')}-batch-0`)
        .fetchHistory();
      return { result, events: history.events ?? [], batchEvents: batch.events ?? [] };
    });
    assert.equal(outcome.result.counts.success, 12);
    const longTimers = outcome.events.filter(
      (event) => Number(event.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0) >= 3600,
    );
    assert.equal(longTimers.length, 1, 'one start_at timer in the parent');
    const startedAt = Number(outcome.events[0]?.eventTime?.seconds ?? 0);
    const firstActivity = outcome.events.find((event) => event.activityTaskScheduledEventAttributes);
    assert.ok(
      Number(firstActivity?.eventTime?.seconds ?? 0) - startedAt >= 3 * 3600 - 60,
      'nothing ran before start_at',
    );
    const commandTimes = outcome.batchEvents
      .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'executeDeviceCommand')
      .map((event) => Number(event.eventTime?.seconds ?? 0));
    assert.equal(commandTimes.length, 12);
    assert.ok(
      commandTimes.at(-1)! - commandTimes[0]! >= 11 * 10 - 1,
      '6 per minute: one command every 10 s of workflow time',
    );
  });
});
