import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DeviceSource } from '../../contracts/bulk-action.types';
import { insertBulkResponse } from '../../registry/bulk-responses.repository';
import type { Database } from '../../registry/database';
import { newObjectId } from '../../registry/object-id';
import { applyRegistryActionPage, type RegistryActionRequest } from '../../registry/registry-actions.repository';
import { insertCompanyWithDevices } from '../support/transport-fixtures';
import { openTestDatabase } from '../support/test-database';

interface DeviceState {
  tags: string[];
  metadata: Record<string, string>;
  heartbeat_period: number;
  heartbeat_values: string[];
}

// The registry actions record, in the row they write for each device, what they replaced; a
// rollback's page puts exactly that back, in one statement per page, on the real registry.
describe('registry undo: captured with the change, put back by a rollback page', () => {
  let database: Database;
  let companyId: string;
  let ids: string[];

  before(async () => {
    database = await openTestDatabase();
    const company = await insertCompanyWithDevices(database, 4);
    companyId = company.companyId;
    ids = company.devices.map((device) => device.deviceId).sort();
  });
  after(async () => {
    await database?.close();
  });

  const setDevice = (id: string, state: Partial<DeviceState> & { active?: boolean }) =>
    database.query(
      `update devices set tags = coalesce($2, tags), metadata = coalesce($3, metadata),
         heartbeat_period = coalesce($4, heartbeat_period), heartbeat_values = coalesce($5, heartbeat_values),
         active = coalesce($6, active) where id = $1`,
      [
        id,
        state.tags ?? null,
        state.metadata ? JSON.stringify(state.metadata) : null,
        state.heartbeat_period ?? null,
        state.heartbeat_values ?? null,
        state.active ?? null,
      ],
    );
  const stateOf = async (id: string) =>
    (
      await database.query<DeviceState>(
        'select tags, metadata, heartbeat_period, heartbeat_values from devices where id = $1',
        [id],
      )
    )[0]!;
  const newBulkResponse = async (action: string, rollbackOf: string | null = null) => {
    const id = newObjectId();
    await insertBulkResponse(database, {
      id,
      companyId,
      fleetId: null,
      action,
      request: {},
      createdBy: null,
      rollbackOf,
    });
    return id;
  };
  const page = (bulkResponseId: string, source: DeviceSource, request: RegistryActionRequest) =>
    applyRegistryActionPage(database, { bulkResponseId, companyId, source, request, afterDeviceId: null, limit: 100 });
  const rowsOf = (bulkResponseId: string) =>
    database.query<{ device_id: string; status: string; undo: unknown }>(
      'select device_id, status, undo from bulk_response_devices where bulk_response_id = $1 order by device_id',
      [bulkResponseId],
    );

  // Runs the action over the test's devices, then its rollback (twice: a retried page converges).
  async function actThenRollBack(request: RegistryActionRequest) {
    const parent = await newBulkResponse(request.action);
    await page(parent, { kind: 'devices', deviceIds: ids }, request);
    const between = await Promise.all(ids.map(stateOf));
    const rollback = await newBulkResponse(request.action, parent);
    const source: DeviceSource = { kind: 'rollback', parentBulkResponseId: parent, action: request.action };
    const first = await page(rollback, source, request);
    await page(rollback, source, request);
    return { parent, rollback, between, first, after: await Promise.all(ids.map(stateOf)) };
  }

  test('when add_tags is rolled back, then exactly the tags it added go, a tag a device had before stays, and inactive devices are left alone', async () => {
    const [fresh, hadProbe, inactive, other] = ids as [string, string, string, string];
    await setDevice(fresh, { tags: ['site-a'], active: true });
    await setDevice(hadProbe, { tags: ['probe', 'site-b'], active: true });
    await setDevice(inactive, { tags: ['site-c'], active: false });
    await setDevice(other, { tags: ['new', 'probe'], active: true });
    const { parent, rollback, between, first, after } = await actThenRollBack({
      action: 'add_tags',
      tags: ['probe', 'new', 'probe'],
    });
    assert.deepEqual([...between[0]!.tags].sort(), ['new', 'probe', 'site-a']);
    assert.deepEqual(
      (await rowsOf(parent)).map((row) => [row.status, row.undo]),
      [
        ['success', { added: ['probe', 'new'] }],
        ['success', { added: ['new'] }],
        ['skipped', null],
        ['success', null],
      ],
    );
    assert.deepEqual(
      after.map((state) => state.tags),
      [['site-a'], ['probe', 'site-b'], ['site-c'], ['new', 'probe']],
    );
    assert.equal(first.deviceCount, 2, 'the rollback walks the devices the action changed, nothing else');
    assert.deepEqual(
      (await rowsOf(rollback)).map((row) => [row.device_id, row.status, row.undo]),
      [
        [fresh, 'success', null],
        [hadProbe, 'success', null],
      ],
    );
  });

  test('when remove_tags is rolled back, then the tags it removed come back and a device it did not change is not walked', async () => {
    const [withTags, without] = ids as [string, string];
    await setDevice(withTags, { tags: ['a', 'b', 'c'], active: true });
    await setDevice(without, { tags: ['c'], active: true });
    const { parent, first, after } = await actThenRollBack({ action: 'remove_tags', tags: ['b', 'x'] });
    assert.deepEqual((await rowsOf(parent))[0]!.undo, { removed: ['b'] });
    assert.deepEqual(after[0]!.tags, ['a', 'c', 'b']);
    assert.deepEqual(after[1]!.tags, ['c']);
    assert.equal(first.deviceCount, 1);
  });

  test('when add_metadata is rolled back, then keys it added are removed and values it replaced restored', async () => {
    const [replaced, empty, same] = ids as [string, string, string];
    await setDevice(replaced, { metadata: { owner: 'ops', keep: 'yes' }, active: true });
    await setDevice(empty, { metadata: {}, active: true });
    await setDevice(same, { metadata: { owner: 'dev', site: 'x' }, active: true });
    const { parent, between, after } = await actThenRollBack({
      action: 'add_metadata',
      metadata: { owner: 'dev', site: 'x' },
    });
    assert.deepEqual(between[0]!.metadata, { owner: 'dev', keep: 'yes', site: 'x' });
    const undo = (await rowsOf(parent)).map((row) => row.undo);
    assert.deepEqual(undo.slice(0, 3), [
      { metadata: { owner: 'ops', site: null } },
      { metadata: { owner: null, site: null } },
      null,
    ]);
    assert.deepEqual(
      after.slice(0, 3).map((state) => state.metadata),
      [{ owner: 'ops', keep: 'yes' }, {}, { owner: 'dev', site: 'x' }],
    );
  });

  test('when update_heartbeat is rolled back, then each changed field goes back and the devices are returned for their configuration push', async () => {
    const [changed, periodOnly] = ids as [string, string];
    await setDevice(changed, { heartbeat_period: 60, heartbeat_values: ['wifi_clients'], active: true });
    await setDevice(periodOnly, { heartbeat_period: 60, heartbeat_values: ['cpu_usage'], active: true });
    const { parent, first, after } = await actThenRollBack({
      action: 'update_heartbeat',
      heartbeat_period: 120,
      heartbeat_values: ['cpu_usage'],
    });
    const undo = (await rowsOf(parent)).map((row) => row.undo);
    assert.deepEqual(undo.slice(0, 2), [
      { heartbeat_period: 60, heartbeat_values: ['wifi_clients'] },
      { heartbeat_period: 60 },
    ]);
    assert.deepEqual(
      after.slice(0, 2).map((state) => [state.heartbeat_period, state.heartbeat_values]),
      [
        [60, ['wifi_clients']],
        [60, ['cpu_usage']],
      ],
    );
    assert.ok(first.updated.some((device) => device.id === changed && device.heartbeat_period === 60));
  });
});
