import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cancelUpdate } from '../../workflows/definitions';
import { eventually, within } from '../support/bounded-waits';
import { rolloutOutcomeOf } from '../support/rollout-outcome';
import { rolloutHarness, withFleet, type Fleet } from '../support/rollout-harness';
import { rebootInput } from '../../harness/rollout-inputs';

const minute = 60_000;

async function statusesOf(fleet: Fleet, bulkResponseId: string): Promise<Map<string, string>> {
  return new Map((await fleet.rows(bulkResponseId)).map((row) => [row.device_id, row.status]));
}

// Devices offline at dispatch wait `enqueued`, outside the window, and are sent to when they
// connect; never after a stop. Real activities and registry; real seconds on the dev server.
describe('offline devices (dev server, real activities and registry, fake devices)', () => {
  const harness = rolloutHarness('dev-server');
  const offlineHalf = (index: number) => index % 2 === 1;

  it('when devices are offline at dispatch, then they wait enqueued unsent, and each is sent once when it connects', async () => {
    await withFleet(harness, 6, { offline: offlineHalf }, async (fleet) => {
      const offline = fleet.deviceIds.filter((_, index) => offlineHalf(index));
      const input = rebootInput(fleet.companyId, { device_timeout_seconds: 60, max_in_flight: 1 });
      const handle = await fleet.start(input);
      await eventually(
        async () => {
          const statuses = await statusesOf(fleet, input.bulkResponseId);
          return offline.every((id) => statuses.get(id) === 'enqueued') && statuses.size === 6;
        },
        30_000,
        'the offline devices to be enqueued and the online ones reached',
      );
      assert.ok(
        offline.every((id) => fleet.transport.copiesTo(id).length === 0),
        'nothing published to them',
      );
      const connectedAt = Date.now();
      await fleet.connect(offline);
      const outcome = await within(rolloutOutcomeOf(handle), minute, 'the rollout');
      assert.equal(outcome.status, 'completed');
      assert.equal(outcome.counts.success, 6);
      for (const id of offline) {
        const copies = fleet.transport.copiesTo(id);
        assert.equal(copies.length, 1, 'sent once');
        assert.ok(copies[0]!.at >= connectedAt, 'sent after it connected');
      }
    });
  });

  it('when an offline device never connects, then it ends timed_out at its deadline and is never published to', async () => {
    await withFleet(harness, 3, { offline: (index) => index === 0 }, async (fleet) => {
      const input = rebootInput(fleet.companyId, { device_timeout_seconds: 3 });
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), minute, 'the rollout');
      assert.equal(outcome.status, 'completed_with_errors');
      assert.equal(outcome.counts.success, 2);
      assert.equal(outcome.counts.timed_out, 1);
      const [row] = (await fleet.rows(input.bulkResponseId)).filter((each) => each.device_id === fleet.deviceIds[0]);
      assert.match(row?.message ?? '', /did not connect before its deadline/);
      assert.equal(fleet.transport.copiesTo(fleet.deviceIds[0]!).length, 0);
    });
  });

  it('when the rollout is canceled while devices wait offline, then they end canceled and are never sent to, even once they connect', async () => {
    await withFleet(harness, 6, { offline: offlineHalf }, async (fleet) => {
      const offline = fleet.deviceIds.filter((_, index) => offlineHalf(index));
      const input = rebootInput(fleet.companyId, { device_timeout_seconds: 60 });
      const handle = await fleet.start(input);
      await eventually(
        async () => (await statusesOf(fleet, input.bulkResponseId)).size === 6,
        30_000,
        'every device reached',
      );
      const view = await within(handle.executeUpdate(cancelUpdate), 30_000, 'the cancel Update');
      // Canceling while the online devices' answers are awaited; canceled if none is left to wait for.
      assert.ok(['canceling', 'canceled'].includes(view.status), view.status);
      await fleet.connect(offline);
      const outcome = await within(rolloutOutcomeOf(handle), minute, 'the rollout');
      assert.equal(outcome.status, 'canceled');
      assert.equal(outcome.counts.success, 3);
      assert.equal(outcome.counts.canceled, 3);
      // The connected-devices watcher looks once a second: give it two looks.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      for (const id of offline) assert.equal(fleet.transport.copiesTo(id).length, 0, `${id} never sent to`);
      const statuses = await statusesOf(fleet, input.bulkResponseId);
      for (const id of offline) assert.equal(statuses.get(id), 'canceled');
    });
  });
});
