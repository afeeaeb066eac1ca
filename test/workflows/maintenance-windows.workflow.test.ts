import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { temporal } from '@temporalio/proto';
import type { Rollout } from '../../contracts/fleet-action.schema';
import { windowStateAt, type MaintenanceWindow } from '../../contracts/maintenance-windows';
import { pauseSignal, rolloutStatusQuery } from '../../workflows/definitions';
import { rolloutWorkflow } from '../../workflows/rollout.workflow';
import { fakeActivities } from '../support/fake-activities';
import { addTagsInput, rebootInput } from '../support/rollout-inputs';
import { timeSkippingSuite } from '../support/time-skipping-suite';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const eventTime = (event: HistoryEvent) =>
  Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
const scheduledTimes = (events: HistoryEvent[], activity: string) =>
  events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activity).map(eventTime);

// Days of workflow time in seconds: the time-skipping server skips the window timers while no
// activity is outstanding (the fake devices answer at once).
describe('maintenance windows (time-skipping test server, fake devices)', () => {
  const suite = timeSkippingSuite('windows');
  const { withWorker } = suite;

  it('when the window closes mid-rollout across the spring DST change, then devices are sent only inside windows, at local hours', async () => {
    // 02:30 does not exist in Berlin on 28 March 2027: that night the window opens as the clocks
    // jump (03:00 CEST = 01:00Z); the next night at 02:30 CEST (00:30Z).
    const window: MaintenanceWindow = {
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      start: '02:30',
      end: '03:30',
      timezone: 'Europe/Berlin',
    };
    const rollout: Rollout = { start_at: '2027-03-27T12:00:00Z', windows: [window], rate_per_minute: 1 };
    const fake = fakeActivities(40);
    const events = await withWorker(fake, async (taskQueue) => {
      const handle = await suite.environment.client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: 'w1',
        args: [rebootInput('w1', rollout)],
      });
      const result = await handle.result();
      assert.equal(result.counts.success, 40);
      const batch = suite.environment.client.workflow.getHandle(`${'w1'.padStart(24, '0')}-batch-0`);
      return (await batch.fetchHistory()).events ?? [];
    });
    const sent = scheduledTimes(events, 'executeDeviceCommand');
    assert.equal(sent.length, 40);
    for (const time of sent) assert.ok(windowStateAt([window], time).open, `sent outside a window at ${time}`);
    assert.ok(Math.abs(sent[0]! - Date.parse('2027-03-28T01:00:00Z')) < 60_000, 'first night: at the DST jump');
    const secondNight = sent.filter((time) => time >= Date.parse('2027-03-29T00:00:00Z'));
    assert.ok(secondNight.length > 0 && secondNight.length < 40, 'the window closed mid-rollout');
    assert.ok(Math.abs(secondNight[0]! - Date.parse('2027-03-29T00:30:00Z')) < 60_000, 'second night: 02:30 CEST');
  });

  it('when outside a window, then the rollout says until when, and pause and cancel work while it waits', async () => {
    const now = await suite.environment.currentTimeMs();
    const opensAt = new Date(now + 5 * 3600_000);
    const hhmm = (date: Date) => date.toISOString().slice(11, 16);
    const window: MaintenanceWindow = {
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      start: hhmm(opensAt),
      end: hhmm(new Date(opensAt.getTime() + 3600_000)),
      timezone: 'UTC',
    };
    const fake = fakeActivities(5);
    await withWorker(fake, async (taskQueue) => {
      const handle = await suite.environment.client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: 'w2',
        args: [addTagsInput('w2', { windows: [window] })],
      });
      let view = await handle.query(rolloutStatusQuery);
      for (let tries = 0; !view.waitingFor?.includes('maintenance window') && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        view = await handle.query(rolloutStatusQuery);
      }
      assert.match(view.waitingFor ?? '', /maintenance window opening at \d{4}-\d\d-\d\dT/);
      await handle.signal(pauseSignal);
      assert.equal((await handle.query(rolloutStatusQuery)).status, 'paused');
      await handle.cancel();
      await assert.rejects(handle.result(), /cancelled/);
      assert.equal(fake.finalized.at(-1)?.status, 'canceled');
      assert.equal(fake.applied.size, 0, 'nothing changed outside the window');
    });
  });
});
