import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rolloutStatusQuery } from '../../workflows/definitions';
import { within } from '../support/bounded-waits';
import { rolloutOutcomeOf } from '../support/rollout-outcome';
import { eventTime, localActivityTimes } from '../support/history-times';
import { rolloutHarness, withFleet } from '../support/rollout-harness';
import { rebootInput } from '../../harness/rollout-inputs';

// Hours of workflow time in seconds on the time-skipping test server: the rollout's waits are
// timers, its device dispatches local activities, and the fake devices answer at once.
describe('start_at and rate (time-skipping test server, real activities and registry)', () => {
  const harness = rolloutHarness('time-skipping');

  it('when start_at is hours ahead and a rate is set, then it waits until then and paces commands by the rate', async () => {
    await withFleet(harness, 12, {}, async (fleet) => {
      const startAt = (await harness.environment.currentTimeMs()) + 3 * 3600_000;
      const input = rebootInput(fleet.companyId, { start_at: new Date(startAt).toISOString(), rate_per_minute: 6 });
      const handle = await fleet.start(input);
      const waiting = await within(handle.query(rolloutStatusQuery), 30_000, 'the status query');
      assert.equal(waiting.status, 'pending');
      assert.match(waiting.waitingFor ?? '', /the start time/);
      const outcome = await within(rolloutOutcomeOf(handle), 120_000, 'the rollout');
      assert.equal(outcome.counts.success, 12);
      const events = (await handle.fetchHistory()).events ?? [];
      const sent = localActivityTimes(events);
      assert.equal(sent.length, 12, 'one dispatch per device');
      assert.ok(sent[0]! >= startAt - 1_000, 'nothing was sent before start_at');
      const firstActivity = events.find((event) => event.activityTaskScheduledEventAttributes);
      assert.ok(eventTime(firstActivity!) >= startAt - 1_000, 'the fleet was not even counted before start_at');
      assert.ok(sent.at(-1)! - sent[0]! >= 11 * 10_000 - 1_000, '6 a minute: one command every 10 s of workflow time');
    });
  });
});
