import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshRolloutState, RolloutModel } from '../../contracts/rollout-model';
import { planOf } from '../../contracts/rollout-plan';
import {
  findBulkResponse,
  finishBulkResponse,
  insertBulkResponse,
  listBulkResponses,
  markBulkResponseStarted,
  saveRolloutState,
} from '../../registry/bulk-responses.repository';
import type { Database } from '../../registry/database';
import { recordDeviceResults } from '../../registry/device-results.repository';
import { newObjectId } from '../../registry/object-id';
import { insertGeneratedCompany } from '../../registry/simulated-devices.repository';
import { openTestDatabase } from '../support/test-database';

// A rollout's record as it moves: each saved state is a newer version of the model's record.
function recordStates() {
  const model = new RolloutModel(planOf(undefined), freshRolloutState(planOf(undefined)));
  model.started(Date.now(), 10, null);
  const running = model.record();
  model.pause();
  const paused = model.record();
  return { running, paused };
}

describe('bulk responses repository (real registry)', () => {
  let database: Database;
  let companyId: string;
  let deviceIds: string[];

  before(async () => {
    database = await openTestDatabase();
    const company = await insertGeneratedCompany(database, 'records', 3);
    companyId = company.companyId;
    deviceIds = company.devices.map((device) => device.deviceId);
  });
  after(async () => {
    await database?.close();
  });

  async function insertReboot(): Promise<string> {
    const id = newObjectId();
    const request = { action: 'issue_command', gateway_command: 'reboot' };
    await insertBulkResponse(database, {
      id,
      companyId,
      fleetId: null,
      action: 'issue_command',
      request,
      createdBy: null,
    });
    return id;
  }

  it('when device rows are written, then the record counts them, and devices not reached yet are pending', async () => {
    const id = await insertReboot();
    await markBulkResponseStarted(database, id, 10);
    await recordDeviceResults(database, id, [
      { deviceId: deviceIds[0]!, uniqueId: 'a', status: 'success', attempts: 1 },
      { deviceId: deviceIds[1]!, uniqueId: 'b', status: 'skipped', reason: 'inactive', attempts: 0 },
    ]);
    const record = await findBulkResponse(database, companyId, id);
    assert.equal(record?.status, 'processing');
    assert.equal(record?.counts.total, 10);
    assert.equal(record?.counts.success, 1);
    assert.equal(record?.counts.skipped, 1);
    assert.equal(record?.counts.pending, 8);
    const listed = await listBulkResponses(database, companyId, { status: 'processing' }, { limit: 50, offset: 0 });
    assert.deepEqual(
      listed.resources.find((resource) => resource._id === id)?.counts,
      record?.counts,
      'the list shows the same counts',
    );
  });

  it('when a late save carries an older state, then the stored record keeps the newer one', async () => {
    const id = await insertReboot();
    const { running, paused } = recordStates();
    assert.equal(await saveRolloutState(database, id, { total: 10, status: 'paused', state: paused }), 'pending');
    assert.equal(await saveRolloutState(database, id, { total: 10, status: 'processing', state: running }), undefined);
    const kept = await findBulkResponse(database, companyId, id);
    assert.equal(kept?.status, 'paused');
    assert.equal(kept?.rollout_state?.pausedBy, 'operator');
  });

  it('when the bulk response ended, then the first end stays and no later save changes it', async () => {
    const id = await insertReboot();
    const { running, paused } = recordStates();
    const reason = { code: 'canceled', message: 'canceled by an operator' };
    const end = { status: 'canceled' as const, statusReason: reason, total: 3, state: running };
    assert.equal(await finishBulkResponse(database, id, end), true);
    assert.equal(await finishBulkResponse(database, id, { ...end, status: 'completed', statusReason: null }), false);
    assert.equal(await saveRolloutState(database, id, { total: 3, status: 'paused', state: paused }), undefined);
    const ended = await findBulkResponse(database, companyId, id);
    assert.equal(ended?.status, 'canceled');
    assert.deepEqual(ended?.status_reason, reason);
    assert.ok(ended?.completed_at);
  });
});
