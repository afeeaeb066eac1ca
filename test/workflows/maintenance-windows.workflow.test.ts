import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { windowStateAt, type MaintenanceWindow } from '../../contracts/maintenance-windows';
import { findBulkResponse } from '../../registry/bulk-responses.repository';
import { cancelUpdate, pauseUpdate, rolloutStatusQuery } from '../../workflows/definitions';
import { eventually, within } from '../support/bounded-waits';
import { rolloutOutcomeOf } from '../support/rollout-outcome';
import { localActivityTimes } from '../support/history-times';
import { rolloutHarness, withFleet } from '../support/rollout-harness';
import { addTagsInput, rebootInput } from '../../harness/rollout-inputs';

const everyDay: MaintenanceWindow['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// Days of workflow time in seconds on the time-skipping test server: window timers are skipped
// while the fake devices answer at once.
describe('maintenance windows (time-skipping test server, real activities and registry)', () => {
  const harness = rolloutHarness('time-skipping');

  it('when the window closes mid-rollout across the spring DST change, then devices are sent only inside windows, at local hours', async () => {
    // 02:30 does not exist in Berlin on 28 March 2027: that night the window opens as the clocks
    // jump (03:00 CEST = 01:00Z); the next night at 02:30 CEST (00:30Z).
    const window: MaintenanceWindow = { days: everyDay, start: '02:30', end: '03:30', timezone: 'Europe/Berlin' };
    await withFleet(harness, 40, {}, async (fleet) => {
      const input = rebootInput(fleet.companyId, {
        start_at: '2027-03-27T12:00:00Z',
        windows: [window],
        rate_per_minute: 1,
      });
      const handle = await fleet.start(input);
      const outcome = await within(rolloutOutcomeOf(handle), 240_000, 'the rollout');
      assert.equal(outcome.counts.success, 40);
      const sent = localActivityTimes((await handle.fetchHistory()).events ?? []);
      assert.equal(sent.length, 40);
      for (const time of sent) assert.ok(windowStateAt([window], time).open, `sent outside a window at ${time}`);
      assert.ok(Math.abs(sent[0]! - Date.parse('2027-03-28T01:00:00Z')) < 60_000, 'first night: at the DST jump');
      const secondNight = sent.filter((time) => time >= Date.parse('2027-03-29T00:00:00Z'));
      assert.ok(secondNight.length > 0 && secondNight.length < 40, 'the window closed mid-rollout');
      assert.ok(Math.abs(secondNight[0]! - Date.parse('2027-03-29T00:30:00Z')) < 60_000, 'second night: 02:30 CEST');
    });
  });

  it('when outside a window, then the rollout says until when, and pause and cancel work while it waits', async () => {
    await withFleet(harness, 5, {}, async (fleet) => {
      const opensAt = new Date((await harness.environment.currentTimeMs()) + 5 * 3600_000);
      const hhmm = (date: Date) => date.toISOString().slice(11, 16);
      const window: MaintenanceWindow = {
        days: everyDay,
        start: hhmm(opensAt),
        end: hhmm(new Date(opensAt.getTime() + 3600_000)),
        timezone: 'UTC',
      };
      const input = addTagsInput(fleet.companyId, { windows: [window] });
      const handle = await fleet.start(input);
      const view = await eventually(
        async () => {
          const current = await within(handle.query(rolloutStatusQuery), 30_000, 'the status query');
          return current.waitingFor?.includes('maintenance window') ? current : undefined;
        },
        10_000,
        'the wait for the window',
      );
      assert.match(view.waitingFor ?? '', /maintenance window opening at \d{4}-\d\d-\d\dT/);
      assert.equal((await within(handle.executeUpdate(pauseUpdate), 30_000, 'the pause Update')).status, 'paused');
      // Nothing waits for an answer: the rollout may end before the Update answers.
      assert.match(
        (await within(handle.executeUpdate(cancelUpdate), 30_000, 'the cancel Update')).status,
        /^cancel(ing|ed)$/,
      );
      const outcome = await within(rolloutOutcomeOf(handle), 60_000, 'the rollout');
      assert.equal(outcome.status, 'canceled');
      assert.equal(outcome.counts.canceled, 5, 'nothing changed outside the window');
      const record = await findBulkResponse(fleet.database, fleet.companyId, input.bulkResponseId);
      assert.equal(record?.status, 'canceled');
      const [tagged] = await fleet.database.query<{ count: number }>(
        `select count(*)::int as count from devices where company_id = $1 and tags @> '{blue}'`,
        [fleet.companyId],
      );
      assert.equal(tagged?.count, 0);
    });
  });
});
