import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createCommandPayloads } from '../../activities/command-payloads';
import type { DeviceSource, ResolvedCommand } from '../../contracts/bulk-action.types';
import { planRollback, rollbackIdOf, RollbackRefused } from '../../engine-start/rollback-plan';
import { insertBulkResponse } from '../../registry/bulk-responses.repository';
import type { Database } from '../../registry/database';
import { recordDeviceAnswers } from '../../registry/device-answers.repository';
import { loadDeviceBatch } from '../../registry/device-batch.repository';
import { dispatchOne } from '../support/dispatch-one';
import { reasonToSkip } from '../../registry/fleet-population';
import { newObjectId } from '../../registry/object-id';
import { findRollbackParent, listParentsAwaitingRollback } from '../../registry/rollbacks.repository';
import { insertCompanyWithDevices } from '../support/transport-fixtures';
import { openTestDatabase } from '../support/test-database';

// send_configuration keeps, in each device's dispatch statement, the version the device applied
// before; a rollback sends that version back per device and its answers apply it. Also the plan
// a rollback starts from, and which aborted rollouts still wait for theirs. Real registry.
describe('rollback of a configuration and the rollback plan (registry)', () => {
  let database: Database;
  let companyId: string;
  let ids: string[];
  const settingId = newObjectId();
  const values = { 1: { level: 'info' }, 2: { level: 'debug' }, 3: { level: 'trace' } };
  const command = (version: 1 | 2 | 3): ResolvedCommand => ({
    kind: 'configuration',
    name: 'Apply configuration',
    payload: {
      apply: true,
      setting: { configuration_id: 'c', setting_id: settingId, version, values: values[version] },
    },
    setting: { configurationId: 'c', settingId, version, values: values[version] },
  });

  before(async () => {
    database = await openTestDatabase();
    const company = await insertCompanyWithDevices(database, 3);
    companyId = company.companyId;
    ids = company.devices.map((device) => device.deviceId).sort();
    await database.query(
      `update device_types set capabilities = '{"actions": {"send_config": true}}' where company_id = $1`,
      [companyId],
    );
    // Online: their commands are sent, not enqueued.
    await database.query('update devices set last_seen_at = now(), heartbeat_period = 3600 where company_id = $1', [
      companyId,
    ]);
    const configurationId = newObjectId();
    await database.query('insert into configurations (id, company_id, name) values ($1, $2, $3)', [
      configurationId,
      companyId,
      'Logging',
    ]);
    await database.query('insert into settings (id, company_id, configuration_id, name) values ($1, $2, $3, $4)', [
      settingId,
      companyId,
      configurationId,
      'Level',
    ]);
    for (const [version, value] of Object.entries(values))
      await database.query('insert into setting_versions (setting_id, version, "values") values ($1, $2, $3)', [
        settingId,
        Number(version),
        JSON.stringify(value),
      ]);
  });
  after(async () => {
    await database?.close();
  });

  type Stored = { rollbackOf?: string; status?: string; request?: { action: string; [field: string]: unknown } };
  const bulkResponse = async (fields: Stored = {}) => {
    const id = newObjectId();
    await insertBulkResponse(database, {
      id,
      companyId,
      fleetId: null,
      action: fields.request?.action ?? 'send_configuration',
      request: fields.request ?? {},
      createdBy: null,
      rollbackOf: fields.rollbackOf ?? null,
    });
    if (fields.status)
      await database.query('update bulk_responses set status = $2, completed_at = now() where id = $1', [
        id,
        fields.status,
      ]);
    return id;
  };
  const dispatch = (bulkResponseId: string, deviceId: string, setting: ResolvedCommand['setting']) =>
    dispatchOne(database, {
      bulkResponseId,
      companyId,
      deviceId,
      stage: 0,
      sentAt: new Date(),
      deadlineAt: new Date(Date.now() + 60_000),
      nextSendAt: null,
      skipOffline: false,
      setting,
    });
  const answer = (bulkResponseId: string, deviceIds: string[]) =>
    recordDeviceAnswers(
      database,
      deviceIds.map((deviceId) => ({
        bulkResponseId,
        deviceId,
        status: 'success' as const,
        message: null,
        result: null,
        progress: null,
        acknowledgedAt: new Date(),
        receivedAt: new Date(),
      })),
    );
  const appliedVersions = async () =>
    (
      await database.query<{ version: number | null }>(
        'select (applied_settings ->> $2)::int as version from devices where id = any($1::text[]) order by id',
        [ids, settingId],
      )
    ).map((row) => row.version);

  test('when a configuration is sent and then rolled back, then each device that applied it goes back to its own previous version', async () => {
    const [fromOne, fromThree] = ids as [string, string, string];
    await database.query(`update devices set applied_settings = jsonb_build_object($2::text, 1) where id = $1`, [
      fromOne,
      settingId,
    ]);
    await database.query(`update devices set applied_settings = jsonb_build_object($2::text, 3) where id = $1`, [
      fromThree,
      settingId,
    ]);
    const parent = await bulkResponse();
    for (const id of ids) await dispatch(parent, id, command(2).setting);
    const rows = await database.query<{ undo: unknown }>(
      'select undo from bulk_response_devices where bulk_response_id = $1 order by device_id',
      [parent],
    );
    assert.deepEqual(
      rows.map((row) => row.undo),
      [1, 3, null].map((previous) => ({ setting_id: settingId, previous_version: previous, version: 2 })),
    );
    await answer(parent, ids);
    assert.deepEqual(await appliedVersions(), [2, 2, 2]);

    const rollbackCommand: ResolvedCommand = {
      ...command(2),
      setting: { ...command(2).setting!, restoreFrom: parent },
    };
    const source: DeviceSource = { kind: 'rollback', parentBulkResponseId: parent, action: 'send_configuration' };
    const batch = await loadDeviceBatch(database, source, companyId, null, 10);
    const now = new Date();
    assert.deepEqual(
      batch.map((device) => reasonToSkip(device, rollbackCommand, undefined, now) ?? 'eligible'),
      ['eligible', 'eligible', 'no_previous_version'],
    );

    const rollback = await bulkResponse({ rollbackOf: parent });
    const dispatched = [
      await dispatch(rollback, fromOne, rollbackCommand.setting),
      await dispatch(rollback, fromThree, rollbackCommand.setting),
    ];
    assert.deepEqual(
      dispatched.map((row) => row.undo),
      [1, 3].map((version) => ({ setting_id: settingId, previous_version: 2, version })),
    );
    const payloadFor = createCommandPayloads(database);
    const payloads = await Promise.all(dispatched.map((row) => payloadFor(rollbackCommand, row.undo)));
    assert.deepEqual(
      payloads.map((payload) => payload.setting),
      [1, 3].map((version) => ({
        configuration_id: 'c',
        setting_id: settingId,
        version,
        values: values[version as 1 | 3],
      })),
    );
    await answer(rollback, [fromOne, fromThree]);
    assert.deepEqual(await appliedVersions(), [1, 3, 2], 'the device with no version before keeps the one it got');
  });

  test('when a rollback is planned, then a running parent, a rollback and an issue_command without rollback_command are refused', () => {
    const refusal = (parent: Parameters<typeof planRollback>[0]) => {
      try {
        planRollback(parent);
        return 'planned';
      } catch (error) {
        assert.ok(error instanceof RollbackRefused);
        return 'refused';
      }
    };
    const stored = {
      id: newObjectId(),
      company_id: companyId,
      fleet_id: null,
      action: 'issue_command',
      request: { action: 'issue_command', gateway_command: 'reboot', rollout: { abort: { failure_rate: 0.5 } } },
      status: 'aborted' as const,
      completed_at: new Date().toISOString(),
      rollback_of: null,
      rollback_command: null,
    };
    assert.equal(refusal({ ...stored, status: 'processing' }), 'refused');
    assert.equal(refusal({ ...stored, rollback_of: newObjectId() }), 'refused');
    assert.equal(refusal(stored), 'refused');
    const restore: ResolvedCommand = {
      kind: 'command',
      name: 'restore_backup',
      payload: {},
      gatewayCommand: 'restore_backup',
    };
    const planned = planRollback({ ...stored, rollback_command: restore });
    assert.deepEqual(planned.request, { action: 'issue_command', gateway_command: 'reboot' }, 'no abort of its own');
    assert.equal(planned.command, restore);
    assert.deepEqual(planned.source, { kind: 'rollback', parentBulkResponseId: stored.id, action: 'issue_command' });
  });

  test('when a rollout ended aborted with rollback on abort, then it waits for its rollback until that one has begun', async () => {
    const request = { action: 'add_tags', tags: ['x'], rollout: { rollback: { on: 'abort' } } };
    const aborted = await bulkResponse({ status: 'aborted', request });
    const manual = await bulkResponse({
      status: 'aborted',
      request: { ...request, rollout: { rollback: { on: 'manual' } } },
    });
    const completed = await bulkResponse({ status: 'completed', request });
    const waiting = async () => (await listParentsAwaitingRollback(database, 100)).map((parent) => parent.id);
    assert.deepEqual(await waiting(), [aborted]);
    assert.ok(manual && completed);
    const parent = (await findRollbackParent(database, companyId, aborted))!;
    await insertBulkResponse(database, {
      id: rollbackIdOf(aborted),
      companyId,
      fleetId: null,
      parentId: aborted,
      rollbackOf: aborted,
      action: parent.action,
      request: planRollback(parent).request,
      createdBy: null,
    });
    assert.deepEqual(await waiting(), [aborted], 'recorded but not begun: still to start');
    await database.query('update bulk_responses set started_at = now() where id = $1', [rollbackIdOf(aborted)]);
    assert.deepEqual(await waiting(), []);
  });
});
