import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDeviceDispatchActivities, type DispatchTarget } from '../../activities/device-dispatch.activities';
import { commandExecutionId } from '../../contracts/ids';
import { FakeDeviceTransport } from '../../harness/fake-device-transport';
import { insertBulkResponse } from '../../registry/bulk-responses.repository';
import type { Database } from '../../registry/database';
import { recordDeviceResults } from '../../registry/device-results.repository';
import { newObjectId } from '../../registry/object-id';
import { insertCompanyWithDevices } from '../support/transport-fixtures';
import { openTestDatabase } from '../support/test-database';

const second = 1_000;

interface StoredRow {
  status: string;
  reason: string | null;
  message: string | null;
  attempts: number;
  sent_at: Date | null;
  deadline_at: Date | null;
  next_send_at: Date | null;
}

// The device activities against a real registry and a fake transport that keeps what it was asked
// to publish, run in a MockActivityEnvironment (what Temporal gives an activity, without a server).
describe('device dispatch activities (MockActivityEnvironment, real registry, fake transport)', () => {
  let database: Database;
  before(async () => {
    database = await openTestDatabase();
  });
  after(async () => {
    await database?.close();
  });

  // A bulk response over `count` devices: online unless `offline`, active unless `inactive`.
  async function setUp(count: number, options: { offline?: number[]; inactive?: number[] } = {}) {
    const { companyId, devices } = await insertCompanyWithDevices(database, count);
    const ids = devices.map((device) => device.deviceId).sort();
    await database.query('update devices set heartbeat_period = 3600, last_seen_at = now() where company_id = $1', [
      companyId,
    ]);
    const pick = (indexes: number[] = []) => indexes.map((index) => ids[index]);
    await database.query('update devices set last_seen_at = null where id = any($1::text[])', [pick(options.offline)]);
    await database.query('update devices set active = false where id = any($1::text[])', [pick(options.inactive)]);
    const bulkResponseId = newObjectId();
    await insertBulkResponse(database, {
      id: bulkResponseId,
      companyId,
      fleetId: null,
      action: 'issue_command',
      request: {},
      createdBy: null,
    });
    const target: DispatchTarget = {
      bulkResponseId,
      companyId,
      action: 'issue_command',
      command: { kind: 'command', name: 'reboot', payload: {}, gatewayCommand: 'reboot' },
    };
    const transport = new FakeDeviceTransport();
    const activities = createDeviceDispatchActivities({ database, transport });
    const environment = new MockActivityEnvironment();
    const run = <T>(activity: () => Promise<T>): Promise<T> => environment.run<[], T, () => Promise<T>>(activity);
    const device = (index: number) => ({ deviceId: ids[index]!, uniqueId: `sim-${ids[index]}` });
    const commandAll = (indexes: number[], extra: { deadlineCap?: number | null; skipOffline?: boolean } = {}) =>
      run(() =>
        activities.commandDevices({
          target,
          devices: indexes.map(device),
          stage: 0,
          deadlineMilliseconds: 30 * second,
          deadlineCap: extra.deadlineCap ?? null,
          firstResendOffset: 2 * second,
          skipOffline: extra.skipOffline ?? false,
        }),
      );
    const command = async (index: number, extra: { deadlineCap?: number | null; skipOffline?: boolean } = {}) =>
      (await commandAll([index], extra))[0];
    const row = async (index: number) =>
      (
        await database.query<StoredRow>(
          `select status, reason, message, attempts, sent_at, deadline_at, next_send_at from bulk_response_devices
            where bulk_response_id = $1 and device_id = $2`,
          [bulkResponseId, ids[index]],
        )
      )[0];
    return { ids, target, transport, activities, environment, run, device, command, commandAll, row, companyId };
  }

  it('when an online device is reached, then its row is sent with its deadline and first re-send, and the command is published once', async () => {
    const { command, row, transport, target, ids } = await setUp(1);
    assert.equal(await command(0), 'sent');
    const stored = (await row(0))!;
    assert.equal(stored.status, 'sent');
    assert.equal(stored.attempts, 1);
    assert.equal(stored.deadline_at!.getTime() - stored.sent_at!.getTime(), 30 * second);
    assert.equal(stored.next_send_at!.getTime() - stored.sent_at!.getTime(), 2 * second);
    assert.equal(transport.published.length, 1);
    const { envelope } = transport.published[0]!;
    assert.equal(envelope.execution_id, commandExecutionId(target.bulkResponseId, ids[0]!));
    assert.equal(envelope.expires_at, stored.deadline_at!.toISOString());
  });

  it('when a turn reaches several devices at once, then each gets its own outcome in order, only online ones are published to, and the counts are the rows', async () => {
    const { commandAll, transport, target, device, ids, row } = await setUp(4, { offline: [1] });
    await recordDeviceResults(database, target.bulkResponseId, [{ ...device(2), status: 'success', attempts: 1 }]);
    assert.deepEqual(await commandAll([3, 2, 1, 0]), ['sent', 'gone', 'enqueued', 'sent']);
    assert.deepEqual(
      transport.published.map(({ envelope }) => envelope.execution_id).sort(),
      [0, 3].map((index) => commandExecutionId(target.bulkResponseId, ids[index]!)).sort(),
    );
    assert.equal((await row(1))!.status, 'enqueued');
    const [counts] = await database.query<{ sent: number; enqueued: number; success: number }>(
      'select sent, enqueued, success from bulk_response_counts where bulk_response_id = $1',
      [target.bulkResponseId],
    );
    assert.deepEqual(counts, { sent: 2, enqueued: 1, success: 1 });
  });

  it('when a maintenance window ends before the deadline, then the deadline is cut at its end', async () => {
    const { command, row } = await setUp(1);
    const cap = Date.now() + 5 * second;
    await command(0, { deadlineCap: cap });
    assert.equal((await row(0))!.deadline_at!.getTime(), cap);
  });

  it('when a device is offline, then it waits enqueued and nothing is published; with skip_offline it is skipped', async () => {
    const { command, row, transport } = await setUp(2, { offline: [0, 1] });
    assert.equal(await command(0), 'enqueued');
    assert.equal((await row(0))!.status, 'enqueued');
    assert.equal((await row(0))!.attempts, 0, 'nothing sent yet');
    assert.equal(await command(1, { skipOffline: true }), 'gone');
    assert.equal((await row(1))!.status, 'skipped');
    assert.equal((await row(1))!.reason, 'offline');
    assert.equal(transport.published.length, 0);
  });

  it('when the dispatch is retried or replayed, then the row stays as written and the same envelope is published again', async () => {
    const { command, row, transport } = await setUp(1);
    await command(0);
    const first = (await row(0))!;
    assert.equal(await command(0), 'sent');
    assert.deepEqual(await row(0), first, 'the row is not written twice');
    assert.equal(transport.published.length, 2);
    const [one, two] = transport.published;
    assert.equal(two!.envelope.execution_id, one!.envelope.execution_id, 'the device acts once');
    assert.equal(two!.envelope.expires_at, one!.envelope.expires_at);
  });

  it('when the device already has a final row, then nothing is written or published', async () => {
    const { command, transport, target, device, row } = await setUp(1);
    await recordDeviceResults(database, target.bulkResponseId, [{ ...device(0), status: 'success', attempts: 1 }]);
    assert.equal(await command(0), 'gone');
    assert.equal((await row(0))!.status, 'success');
    assert.equal(transport.published.length, 0);
  });

  it('when devices wait, then the upkeep re-sends what is due, sends a last copy at each deadline, and expires after the grace', async () => {
    const { command, row, transport, activities, run, target, ids } = await setUp(3, { offline: [2] });
    for (const index of [0, 1, 2]) await command(index);
    const past = (milliseconds: number) => new Date(Date.now() - milliseconds);
    // Device 0 is due a re-send; device 1 reached its deadline a moment ago; device 2 (offline)
    // passed its deadline.
    await database.query(
      'update bulk_response_devices set next_send_at = $3 where bulk_response_id = $1 and device_id = $2',
      [target.bulkResponseId, ids[0], past(1)],
    );
    await database.query(
      'update bulk_response_devices set deadline_at = $3, next_send_at = null where bulk_response_id = $1 and device_id = $2',
      [target.bulkResponseId, ids[1], past(500)],
    );
    await database.query(
      'update bulk_response_devices set deadline_at = $3 where bulk_response_id = $1 and device_id = $2',
      [target.bulkResponseId, ids[2], past(1)],
    );
    transport.published.length = 0;
    const tend = (publishing: boolean, probedUpTo: number) =>
      run(() =>
        activities.tendWaitingDevices({
          target,
          publishing,
          resendOffsets: [2 * second, 4 * second],
          graceMilliseconds: 2 * second,
          probedUpTo,
        }),
      );
    const result = await tend(true, Date.now() - 10 * second);
    assert.deepEqual(transport.published.map((command) => command.deviceId).sort(), [ids[0], ids[1]].sort());
    assert.equal((await row(0))!.attempts, 2, 'a re-send counts');
    assert.equal((await row(1))!.attempts, 1, 'the last copy does not');
    assert.equal((await row(1))!.status, 'sent', 'within its grace');
    assert.equal((await row(2))!.status, 'timed_out', 'offline past its deadline');
    assert.equal(result.snapshot.stages[0]?.timed_out, 1);
    assert.ok(result.nextDueAt !== null && result.nextDueAt > Date.now(), 'the next look is ahead');
    transport.published.length = 0;
    await database.query(
      'update bulk_response_devices set deadline_at = $2 where bulk_response_id = $1 and status = $3',
      [target.bulkResponseId, past(3 * second), 'sent'],
    );
    await tend(false, result.now);
    assert.equal(transport.published.length, 0, 'nothing is published once the rollout stopped or paused');
    assert.equal((await row(1))!.status, 'timed_out', 'expiry goes on regardless');
  });

  it('when an offline device connects, then the upkeep says so and it is sent to once', async () => {
    const { command, row, transport, activities, run, target, ids } = await setUp(1, { offline: [0] });
    await command(0);
    await database.query('update devices set last_seen_at = now() where id = $1', [ids[0]]);
    const tended = await run(() =>
      activities.tendWaitingDevices({
        target,
        publishing: true,
        resendOffsets: [],
        graceMilliseconds: 2 * second,
        probedUpTo: Date.now(),
      }),
    );
    assert.equal(tended.connectedWaiting, true);
    const sent = await run(() => activities.commandConnectedDevices({ target, limit: 5, firstResendOffset: null }));
    assert.deepEqual(sent, { sent: 1, more: false });
    assert.equal((await row(0))!.status, 'sent');
    assert.equal(transport.published.length, 1);
    const again = await run(() => activities.commandConnectedDevices({ target, limit: 5, firstResendOffset: null }));
    assert.equal(again.sent, 0, 'never twice');
  });

  it('when a rollout stopped, then unreached devices get rows (skipped with their reason, else canceled), offline ones end canceled, sent ones keep waiting', async () => {
    const { command, row, activities, target, companyId, environment, run } = await setUp(4, {
      offline: [1],
      inactive: [3],
    });
    await command(0);
    await command(1);
    const heartbeats: unknown[] = [];
    environment.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const snapshot = await run(() =>
      activities.settleUnreached({
        bulkResponseId: target.bulkResponseId,
        companyId,
        source: { kind: 'fleet', criteria: {}, createdBefore: new Date(Date.now() + 60 * second).toISOString() },
        command: target.command,
        rollout: undefined,
        stage: 0,
        cancelWaiting: false,
        message: 'not sent: the rollout was canceled first',
      }),
    );
    assert.equal((await row(0))!.status, 'sent', 'a device with the command keeps waiting for its answer');
    assert.equal((await row(1))!.status, 'canceled');
    assert.equal((await row(2))!.status, 'canceled');
    assert.equal((await row(2))!.message, 'not sent: the rollout was canceled first');
    assert.equal((await row(3))!.status, 'skipped');
    assert.equal((await row(3))!.reason, 'inactive');
    assert.deepEqual(snapshot.stages[0], { ...snapshot.stages[0], sent: 1, canceled: 2, skipped: 1 });
    assert.ok(heartbeats.length > 0, 'a long walk heartbeats');
  });
});
