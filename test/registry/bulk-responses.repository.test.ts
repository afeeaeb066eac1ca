import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emptyCounts } from '../../contracts/statuses';
import {
  findBulkResponse,
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

  it('when a late progress save carries fewer settled devices, then the stored record keeps the newer counts', async () => {
    const id = newObjectId();
    await insertBulkResponse(database, {
      id,
      companyId,
      fleetId: null,
      parentId: null,
      action: 'add_tags',
      request: { action: 'add_tags', tags: ['x'] },
      createdBy: null,
    });
    await saveBulkResponseProgress(database, id, 'processing', { ...emptyCounts(), total: 10, success: 6, fail: 1 });
    await saveBulkResponseProgress(database, id, 'processing', { ...emptyCounts(), total: 10, success: 3 });
    assert.equal((await findBulkResponse(database, companyId, id))?.counts.success, 6);
    await saveBulkResponseProgress(database, id, 'paused', { ...emptyCounts(), total: 10, success: 6, fail: 1 });
    assert.equal((await findBulkResponse(database, companyId, id))?.status, 'paused', 'same progress, new status');
  });
});
