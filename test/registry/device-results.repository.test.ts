import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { insertBulkResponse } from '../../registry/bulk-responses.repository';
import type { Database } from '../../registry/database';
import { listDeviceResults, recordDeviceResults } from '../../registry/device-results.repository';
import { newObjectId } from '../../registry/object-id';
import { insertCompanyWithDevices } from '../support/transport-fixtures';
import { openTestDatabase } from '../support/test-database';

describe('device results', () => {
  let database: Database;
  let bulkResponseId: string;
  const device = { deviceId: newObjectId(), uniqueId: 'device-1' };

  before(async () => {
    database = await openTestDatabase();
    const { companyId } = await insertCompanyWithDevices(database, 0);
    bulkResponseId = newObjectId();
    await insertBulkResponse(database, {
      id: bulkResponseId,
      companyId,
      fleetId: null,
      action: 'issue_command',
      request: {},
      createdBy: 'test',
    });
  });
  after(async () => {
    await database?.close();
  });

  const statusOf = async () =>
    (await listDeviceResults(database, bulkResponseId, undefined, { limit: 10, offset: 0 })).resources[0]?.status;

  test('when a device answers before its activity records "sent", then its final state stays', async () => {
    await recordDeviceResults(database, bulkResponseId, [{ ...device, status: 'success', attempts: 1 }]);
    await recordDeviceResults(database, bulkResponseId, [{ ...device, status: 'sent', attempts: 1 }]);
    assert.equal(await statusOf(), 'success');
  });

  // v3: a row is final once (only a `skipped` row may be taken over, by a continuous sweep).
  test('when a final row is written again with another final state, then the first final state stays', async () => {
    await recordDeviceResults(database, bulkResponseId, [{ ...device, status: 'canceled', attempts: 0 }]);
    assert.equal(await statusOf(), 'success');
  });

  test('when a skipped row is written again, then the new result takes it over', async () => {
    const skipped = { deviceId: newObjectId(), uniqueId: 'device-2' };
    const statusOfSkipped = async () =>
      (await listDeviceResults(database, bulkResponseId, undefined, { limit: 10, offset: 0 })).resources.find(
        (resource) => resource.device_id === skipped.deviceId,
      )?.status;
    await recordDeviceResults(database, bulkResponseId, [
      { ...skipped, status: 'skipped', reason: 'offline', attempts: 0 },
    ]);
    await recordDeviceResults(database, bulkResponseId, [{ ...skipped, status: 'success', attempts: 1 }]);
    assert.equal(await statusOfSkipped(), 'success');
  });
});
