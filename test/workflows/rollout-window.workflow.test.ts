import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { within } from '../support/bounded-waits';
import { rolloutOutcomeOf } from '../support/rollout-outcome';
import { rolloutHarness, withFleet, type Fleet } from '../support/rollout-harness';
import { rebootInput } from '../../harness/rollout-inputs';

const minute = 60_000;

const firstSends = (fleet: Fleet, ids: readonly string[]) => ids.map((id) => fleet.transport.copiesTo(id)[0]!.at);

// Slow, silent and offline devices never hold the others back; the deadline is the deadline.
// Real activities and registry on the dev server, in real seconds.
describe('rollout window and deadlines (dev server, real activities and registry, fake devices)', () => {
  const harness = rolloutHarness('dev-server');

  it('when silent devices are spread through every page, then later pages are sent before the first silent device times out', async () => {
    await withFleet(harness, 600, {}, async (fleet) => {
      const silent = fleet.deviceIds.filter((_, index) => index % 50 === 7);
      const answering = fleet.deviceIds.filter((id) => !silent.includes(id));
      fleet.transport.script = (deviceId) => (silent.includes(deviceId) ? 'silent' : { status: 'success' });
      const input = rebootInput(fleet.companyId, {
        max_in_flight: 100,
        device_timeout_seconds: 10,
        retry: { max_attempts: 1 },
      });
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), 2 * minute, 'the rollout');
      assert.equal(outcome.counts.success, 588);
      assert.equal(outcome.counts.timed_out, 12);
      assert.ok(
        Math.max(...firstSends(fleet, answering)) < Math.min(...firstSends(fleet, silent)) + 10_000,
        'every answering device was commanded before the first silent one reached its deadline',
      );
    });
  });

  it('when half the devices are offline, then they wait enqueued outside max_in_flight and the online ones all answer first', async () => {
    const offline = (index: number) => index % 2 === 0;
    await withFleet(harness, 40, { offline }, async (fleet) => {
      const online = fleet.deviceIds.filter((_, index) => !offline(index));
      const input = rebootInput(fleet.companyId, { max_in_flight: 5, device_timeout_seconds: 8 });
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), minute, 'the rollout');
      assert.equal(outcome.counts.success, 20);
      assert.equal(outcome.counts.timed_out, 20);
      const sends = firstSends(fleet, online);
      assert.ok(Math.max(...sends) - Math.min(...sends) < 6_000, 'the offline devices did not fill the window');
    });
  });
});
