import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emptyCounts } from '../../contracts/statuses';
import {
  findBulkResponse,
  finishBulkResponse,
  insertBulkResponse,
  saveBulkResponseProgress,
} from '../../registry/bulk-responses.repository';
import type { Database } from '../../registry/database';
import { insertGeneratedCompany } from '../../registry/simulated-devices.repository';
import { newObjectId } from '../../registry/object-id';
import { openTestDatabase } from '../support/test-database';

describe('bulk responses repository (real registry)', () => {
  let database: Database;
  let companyId: string;

  before(async () => {
    database = await openTestDatabase();
    ({ companyId } = await insertGeneratedCompany(database, 'progress', 1));
  });
  after(async () => {
    await database?.close();
  });

  async function insertAddTags(): Promise<string> {
    const id = newObjectId();
    const request = { action: 'add_tags', tags: ['x'] };
    await insertBulkResponse(database, { id, companyId, fleetId: null, action: 'add_tags', request, createdBy: null });
    return id;
  }

  it('when a late progress save carries fewer settled devices, then the stored record keeps the newer counts', async () => {
    const id = await insertAddTags();
    const progress = { ...emptyCounts(), total: 10, success: 6, fail: 1 };
    await saveBulkResponseProgress(database, id, 'processing', progress, '3 online devices to answer');
    await saveBulkResponseProgress(database, id, 'processing', { ...emptyCounts(), total: 10, success: 3 }, null);
    const kept = await findBulkResponse(database, companyId, id);
    assert.equal(kept?.counts.success, 6);
    assert.equal(kept?.waiting_for, '3 online devices to answer', 'what it waits for goes with its counts');
    await saveBulkResponseProgress(database, id, 'paused', progress, 'resume');
    const paused = await findBulkResponse(database, companyId, id);
    assert.equal(paused?.status, 'paused', 'same progress, new status');
    assert.equal(paused?.waiting_for, 'resume');
  });

  it('when the bulk response ends, then it no longer says what it waits for', async () => {
    const id = await insertAddTags();
    const counts = { ...emptyCounts(), total: 1, success: 1 };
    await saveBulkResponseProgress(database, id, 'processing', counts, '1 online devices to answer');
    await finishBulkResponse(database, id, 'completed', counts, null);
    const ended = await findBulkResponse(database, companyId, id);
    assert.equal(ended?.status, 'completed');
    assert.equal(ended?.waiting_for, null);
  });
});
