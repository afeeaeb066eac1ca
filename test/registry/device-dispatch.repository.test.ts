import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readCountsSnapshot } from '../../registry/bulk-response-counts.repository';
import { insertBulkResponse } from '../../registry/bulk-responses.repository';
import type { Database } from '../../registry/database';
import { expireDevices, nextDueAt, takeDueResends } from '../../registry/device-dispatch.repository';
import { dispatchOne } from '../support/dispatch-one';
import { recordDeviceResults } from '../../registry/device-results.repository';
import { newObjectId } from '../../registry/object-id';
import { insertCompanyWithDevices } from '../support/transport-fixtures';
import { openTestDatabase } from '../support/test-database';

const second = 1_000;

// The upkeep of waiting devices is chosen in SQL from their rows: when each re-send goes, when a
// silent device expires, and when the rollout should look again.
describe('device dispatch rows (real registry)', () => {
  let database: Database;
  before(async () => {
    database = await openTestDatabase();
  });
  after(async () => {
    await database?.close();
  });

  // A bulk response over `count` devices, online unless `offline` names them.
  async function bulkResponse(count: number, offline: number[] = []) {
    const { companyId, devices } = await insertCompanyWithDevices(database, count);
    const ids = devices.map((device) => device.deviceId).sort();
    await database.query('update devices set heartbeat_period = 3600, last_seen_at = now() where company_id = $1', [
      companyId,
    ]);
    await database.query('update devices set last_seen_at = null where id = any($1::text[])', [
      offline.map((index) => ids[index]),
    ]);
    const id = newObjectId();
    await insertBulkResponse(database, {
      id,
      companyId,
      fleetId: null,
      action: 'issue_command',
      request: {},
      createdBy: null,
    });
    const dispatch = (index: number, sentAt: Date, deadlineAt: Date, nextSendAt: Date | null, stage = 0) =>
      dispatchOne(database, {
        bulkResponseId: id,
        companyId,
        deviceId: ids[index]!,
        stage,
        sentAt,
        deadlineAt,
        nextSendAt,
        skipOffline: false,
      });
    const row = async (index: number) =>
      (
        await database.query<{ status: string; attempts: number; next_send_at: Date | null; message: string | null }>(
          'select status, attempts, next_send_at, message from bulk_response_devices where bulk_response_id = $1 and device_id = $2',
          [id, ids[index]],
        )
      )[0]!;
    return { id, companyId, ids, dispatch, row };
  }

  it('when a device stays silent, then each re-send is due at its offset from the first send and none after the last', async () => {
    const { id, dispatch, row } = await bulkResponse(1);
    const sentAt = new Date(Date.now() - 60 * second);
    const at = (offset: number) => new Date(sentAt.getTime() + offset);
    const offsets = [1 * second, 3 * second, 7 * second];
    await dispatch(0, sentAt, at(30 * second), at(offsets[0]!));
    assert.equal((await takeDueResends(database, id, at(999), offsets)).length, 0, 'not due before its offset');
    const expected: [number, number | null][] = [
      [1 * second, 3 * second],
      [3 * second, 7 * second],
      [7 * second, null],
    ];
    for (const [now, next] of expected) {
      assert.equal((await takeDueResends(database, id, at(now), offsets)).length, 1, `a re-send at ${now} ms`);
      const after = await row(0);
      assert.equal(after.next_send_at?.getTime() ?? null, next === null ? null : at(next).getTime());
    }
    assert.equal((await row(0)).attempts, 4, 'attempts count the sends: the first and three re-sends');
    assert.equal((await takeDueResends(database, id, at(100 * second), offsets)).length, 0, 'none after the last');
  });

  it('when a device was sent to, then it expires only once its deadline and the grace passed; an offline one at its deadline', async () => {
    const { id, dispatch, row } = await bulkResponse(2, [1]);
    const sentAt = new Date();
    const deadline = new Date(sentAt.getTime() + 10 * second);
    assert.equal((await dispatch(0, sentAt, deadline, null)).status, 'sent');
    assert.equal((await dispatch(1, sentAt, deadline, null)).status, 'enqueued');
    const grace = 3 * second;
    const expired = async (at: Date) => (await expireDevices(database, id, at, grace)).length;
    assert.equal(await expired(new Date(deadline.getTime() - 1)), 0);
    assert.equal(await expired(deadline), 1, 'the offline device at its deadline');
    assert.match((await row(1)).message ?? '', /did not connect/);
    assert.equal(await expired(new Date(deadline.getTime() + grace - 1)), 0, 'grace');
    assert.equal(await expired(new Date(deadline.getTime() + grace)), 1);
    assert.equal((await row(0)).status, 'timed_out');
    assert.match((await row(0)).message ?? '', /did not answer/);
  });

  it('when devices wait, then the next due time is the earliest re-send, deadline or expiry; without publishing only expiries', async () => {
    const { id, dispatch } = await bulkResponse(2, [1]);
    const now = new Date();
    const at = (offset: number) => new Date(now.getTime() + offset);
    await dispatch(0, now, at(20 * second), at(5 * second));
    await dispatch(1, now, at(12 * second), null);
    const grace = 4 * second;
    assert.equal((await nextDueAt(database, id, now, grace, true))?.getTime(), at(5 * second).getTime(), 're-send');
    assert.equal((await nextDueAt(database, id, now, grace, false))?.getTime(), at(12 * second).getTime(), 'offline');
    await database.query(
      "update bulk_response_devices set status = 'canceled' where bulk_response_id = $1 and status = 'enqueued'",
      [id],
    );
    await database.query('update bulk_response_devices set next_send_at = null where bulk_response_id = $1', [id]);
    assert.equal((await nextDueAt(database, id, now, grace, true))?.getTime(), at(20 * second).getTime(), 'last copy');
    assert.equal(
      (await nextDueAt(database, id, now, grace, false))?.getTime(),
      at(24 * second).getTime(),
      'paused or stopped: only the expiry after the grace',
    );
  });

  it('when a skipped device is skipped again from another stage, then the counts stay with the row', async () => {
    const { id, companyId, ids } = await bulkResponse(1, [0]);
    await recordDeviceResults(database, id, [{ deviceId: ids[0]!, uniqueId: 'x', status: 'skipped', attempts: 0 }], 0);
    const row = await dispatchOne(database, {
      bulkResponseId: id,
      companyId,
      deviceId: ids[0]!,
      stage: 1,
      sentAt: new Date(),
      deadlineAt: new Date(Date.now() + 60 * second),
      nextSendAt: null,
      skipOffline: true,
    });
    assert.equal(row.status, 'skipped');
    const [stored] = await database.query<{ stage: number }>(
      'select stage from bulk_response_devices where bulk_response_id = $1',
      [id],
    );
    const snapshot = await readCountsSnapshot(database, id);
    assert.equal(snapshot.stages[stored!.stage]?.skipped, 1, 'the row is counted in its own stage');
  });
});
