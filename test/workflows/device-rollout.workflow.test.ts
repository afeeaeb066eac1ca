import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceStatuses } from '../../contracts/statuses';
import { within } from '../support/bounded-waits';
import { rolloutOutcomeOf } from '../support/rollout-outcome';
import { rolloutHarness, withFleet, type DeviceRow, type Fleet } from '../support/rollout-harness';
import { rebootInput } from '../../harness/rollout-inputs';

const minute = 60_000;

function countsOfRows(rows: DeviceRow[]) {
  return Object.fromEntries(
    deviceStatuses.map((status) => [status, rows.filter((row) => row.status === status).length]),
  );
}

async function setInactive(fleet: Fleet, ids: readonly string[]) {
  await fleet.database.query('update devices set active = false where id = any($1::text[])', [ids]);
}

// The real engine (workflow, activities, registry SQL, answer recorder, rollout signals) on the
// Temporal dev server in real time, with fake devices the tests script.
describe('device rollouts (dev server, real activities and registry, fake devices)', () => {
  const harness = rolloutHarness('dev-server');

  it('when the fleet spans several pages, then every eligible device is commanded once and the counts are the rows', async () => {
    await withFleet(harness, 1_100, {}, async (fleet) => {
      const inactive = fleet.deviceIds.filter((_, index) => index % 7 === 0);
      await setInactive(fleet, inactive);
      const input = rebootInput(fleet.companyId, { max_in_flight: 100 });
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), 4 * minute, 'the rollout');
      const rows = await fleet.rows(input.bulkResponseId);
      assert.equal(outcome.status, 'completed');
      assert.equal(outcome.counts.total, 1_100);
      assert.equal(outcome.counts.skipped, inactive.length);
      assert.equal(outcome.counts.success, 1_100 - inactive.length);
      assert.deepEqual(countsOfRows(rows), {
        ...countsOfRows([]),
        success: 1_100 - inactive.length,
        skipped: inactive.length,
      });
      for (const status of deviceStatuses) assert.equal(outcome.counts[status], countsOfRows(rows)[status], status);
      for (const id of fleet.deviceIds) {
        const expected = inactive.includes(id) ? 0 : 1;
        assert.equal(fleet.transport.copiesTo(id).length, expected, `${id} commanded ${expected} time(s)`);
      }
      assert.ok(rows.filter((row) => row.status === 'skipped').every((row) => row.reason === 'inactive'));
    });
  });

  it('when the broker refuses the first two publishes to each device, then each is published again and succeeds', async () => {
    await withFleet(harness, 12, {}, async (fleet) => {
      fleet.transport.refusal = (_deviceId, attempt) => attempt < 3;
      const input = rebootInput(fleet.companyId);
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), minute, 'the rollout');
      assert.equal(outcome.status, 'completed');
      assert.equal(outcome.counts.success, 12);
      assert.equal(fleet.transport.refused.length, 24);
      for (const id of fleet.deviceIds) assert.equal(fleet.transport.copiesTo(id).length, 1, 'one command went out');
      const rows = await fleet.rows(input.bulkResponseId);
      assert.ok(
        rows.every((row) => row.attempts === 1),
        'a refused publish is not a send',
      );
    });
  });

  it('when the broker refuses every publish to a device, then it ends fail with the reason and the others are not held up', async () => {
    await withFleet(harness, 3, {}, async (fleet) => {
      const refused = fleet.deviceIds[0]!;
      fleet.transport.refusal = (deviceId) => deviceId === refused;
      const input = rebootInput(fleet.companyId);
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), minute, 'the rollout');
      assert.equal(outcome.status, 'completed_with_errors');
      assert.equal(outcome.counts.success, 2);
      assert.equal(outcome.counts.fail, 1);
      const rows = await fleet.rows(input.bulkResponseId);
      const firstRefusal = fleet.transport.refused[0]!.at;
      for (const other of rows.filter((each) => each.device_id !== refused))
        assert.ok(other.sent_at!.getTime() - firstRefusal < 5_000, 'the others went while it was retried');
      const [row] = rows.filter((each) => each.device_id === refused);
      assert.match(row?.message ?? '', /could not be sent: the broker is unavailable/);
      assert.equal(fleet.transport.copiesTo(refused).length, 0);
      // 8 attempts over about 20 s (a worker may run one attempt again after a workflow task
      // heartbeat: local activities are at least once).
      assert.ok(fleet.transport.refused.length >= 8, `${fleet.transport.refused.length} attempts`);
      const refusedFor = fleet.transport.refused.at(-1)!.at - fleet.transport.refused[0]!.at;
      assert.ok(refusedFor >= 15_000, `tried for ${refusedFor} ms before giving up`);
    });
  });

  it('when devices stay silent, then the command is re-sent at the retry offsets and attempts count the sends', async () => {
    await withFleet(harness, 3, {}, async (fleet) => {
      fleet.transport.script = (_deviceId, copy) => (copy < 3 ? 'silent' : { status: 'success' });
      const input = rebootInput(fleet.companyId, {
        device_timeout_seconds: 30,
        retry: { max_attempts: 4, initial_interval_seconds: 1, backoff_coefficient: 2 },
      });
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), minute, 'the rollout');
      assert.equal(outcome.counts.success, 3);
      const rows = await fleet.rows(input.bulkResponseId);
      for (const row of rows) {
        const copies = fleet.transport.copiesTo(row.device_id).map((copy) => copy.at - row.sent_at!.getTime());
        assert.equal(row.attempts, 3, 'the third send was answered');
        assert.equal(copies.length, 3);
        // Offsets 1 s and 3 s after the first send; the upkeep looks at most a second late.
        assert.ok(copies[1]! >= 1_000 - 50 && copies[1]! < 2_500, `second send at ${copies[1]} ms`);
        assert.ok(copies[2]! >= 3_000 - 50 && copies[2]! < 4_500, `third send at ${copies[2]} ms`);
      }
    });
  });

  it('when a device stays silent, then it ends timed_out after its deadline and grace; an answer within the grace counts', async () => {
    await withFleet(harness, 2, {}, async (fleet) => {
      const [silent, late] = fleet.deviceIds as [string, string];
      // Deadline 3 s, grace 2 s (a quarter of the deadline, at least 2 s); the late device answers
      // its first copy a second after the deadline and ignores the last copy.
      fleet.transport.script = (deviceId, copy) =>
        deviceId === late && copy === 1 ? { status: 'success', afterMilliseconds: 4_000 } : 'silent';
      const input = rebootInput(fleet.companyId, { device_timeout_seconds: 3, retry: { max_attempts: 1 } });
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), minute, 'the rollout');
      assert.equal(outcome.status, 'completed_with_errors');
      const rows = new Map((await fleet.rows(input.bulkResponseId)).map((row) => [row.device_id, row]));
      const silentRow = rows.get(silent)!;
      assert.equal(silentRow.status, 'timed_out');
      assert.match(silentRow.message ?? '', /did not answer before its deadline/);
      const expiredAfter = silentRow.updated_at.getTime() - silentRow.deadline_at!.getTime();
      assert.ok(expiredAfter >= 2_000, `expired ${expiredAfter} ms after the deadline (grace 2 s)`);
      const lateRow = rows.get(late)!;
      assert.equal(lateRow.status, 'success');
      assert.ok(lateRow.acknowledged_at! > lateRow.deadline_at!, 'answered after the deadline, within the grace');
      assert.equal(outcome.counts.success, 1);
      assert.equal(outcome.counts.timed_out, 1);
    });
  });

  it('when a device acted but its answer was lost, then the last copy at the deadline brings the answer back', async () => {
    await withFleet(harness, 4, {}, async (fleet) => {
      fleet.transport.script = (_deviceId, copy) => ({ status: 'success', lost: copy === 1 });
      const input = rebootInput(fleet.companyId, { device_timeout_seconds: 3, retry: { max_attempts: 1 } });
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), minute, 'the rollout');
      assert.equal(outcome.status, 'completed');
      assert.equal(outcome.counts.success, 4);
      for (const row of await fleet.rows(input.bulkResponseId)) {
        const copies = fleet.transport.copiesTo(row.device_id);
        assert.equal(copies.length, 2, 'the first send and the last copy');
        const lastCopyAt = copies[1]!.at - row.deadline_at!.getTime();
        assert.ok(lastCopyAt >= 0 && lastCopyAt < 2_000, `last copy ${lastCopyAt} ms after the deadline`);
        assert.equal(row.attempts, 1, 'the last copy is not a retry');
      }
    });
  });

  it('when devices answer slowly, then no more than max_in_flight of them ever hold an unanswered command', async () => {
    await withFleet(harness, 60, {}, async (fleet) => {
      fleet.transport.script = () => ({ status: 'success', afterMilliseconds: 150 });
      const input = rebootInput(fleet.companyId, { max_in_flight: 5 });
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), 2 * minute, 'the rollout');
      assert.equal(outcome.counts.success, 60);
      assert.ok(fleet.transport.mostOutstanding <= 5, `${fleet.transport.mostOutstanding} outstanding at most`);
      assert.ok(fleet.transport.mostOutstanding >= 2, 'the window was used');
    });
  });

  it('when a rollout ends, then its start and its end are announced before the execution completes, and nothing is left scheduled', async () => {
    await withFleet(harness, 3, {}, async (fleet) => {
      const handle = await fleet.start(rebootInput(fleet.companyId));
      await within(rolloutOutcomeOf(handle), minute, 'the rollout');
      const events = (await handle.fetchHistory()).events ?? [];
      const scheduled = events.filter((event) => event.activityTaskScheduledEventAttributes);
      const announced = scheduled
        .filter(
          (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'enqueueBulkResponseEvent',
        )
        .map((event) => {
          const payload = event.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data;
          return (JSON.parse(Buffer.from(payload!).toString()) as { event: string }).event;
        });
      assert.deepEqual(announced, ['bulk_response.started', 'bulk_response.completed']);
      const scheduledIds = new Set(scheduled.map((event) => String(event.eventId)));
      const finished = events.filter((event) => event.activityTaskCompletedEventAttributes);
      for (const event of finished)
        scheduledIds.delete(String(event.activityTaskCompletedEventAttributes?.scheduledEventId));
      assert.equal(scheduledIds.size, 0, 'every activity the rollout scheduled completed before it ended');
    });
  });
});
