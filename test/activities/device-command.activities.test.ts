import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompleteAsyncError } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createDeviceCommandActivities,
  type DeviceCommandInput,
  type PreparedBatch,
  type PrepareBatchInput,
} from '../../activities/device-command.activities';
import type { ResolvedCommand } from '../../contracts/bulk-action.types';
import type { CommandEnvelope } from '../../contracts/device-protocol.schema';
import type { DeviceAddress } from '../../contracts/device-topics';
import { insertBulkResponse } from '../../registry/bulk-responses.repository';
import type { Database } from '../../registry/database';
import { listDeviceResults, recordDeviceResults } from '../../registry/device-results.repository';
import { insertGeneratedCompany, type GeneratedDevice } from '../../registry/simulated-devices.repository';
import { newObjectId } from '../../registry/object-id';
import type { DeviceTransport } from '../../transport/device-transport';
import { openTestDatabase } from '../support/test-database';

const reboot: ResolvedCommand = { kind: 'command', name: 'reboot', payload: {}, gatewayCommand: 'reboot' };

// A transport that keeps what it was asked to publish: the activity's only other dependency.
function recordingTransport() {
  const published: { target: DeviceAddress; envelope: CommandEnvelope }[] = [];
  const transport: DeviceTransport = {
    publishCommand: (target, envelope) => {
      published.push({ target, envelope });
      return Promise.resolve();
    },
    publishDeviceConfiguration: () => Promise.resolve(),
    stats: () => {
      throw new Error('not used');
    },
    close: () => Promise.resolve(),
  };
  return { transport, published };
}

describe('device command activities (MockActivityEnvironment, real registry)', () => {
  let database: Database;
  let companyId: string;
  let devices: GeneratedDevice[];
  const source = { kind: 'fleet' as const, criteria: {}, createdBefore: new Date(Date.now() + 60_000).toISOString() };

  before(async () => {
    database = await openTestDatabase();
    ({ companyId, devices } = await insertGeneratedCompany(database, 'activities', 6));
    await database.query('update devices set active = false where id = $1', [devices[0]!.deviceId]);
    await database.query('update devices set last_seen_at = now(), heartbeat_period = 60 where id = $1', [
      devices[1]!.deviceId,
    ]);
  });
  after(async () => {
    await database?.close();
  });

  // Every result row belongs to a stored bulk response.
  async function newBulkResponse(): Promise<string> {
    const id = newObjectId();
    await insertBulkResponse(database, {
      id,
      companyId,
      fleetId: null,
      action: 'issue_command',
      request: { action: 'issue_command', gateway_command: 'reboot' },
      createdBy: null,
    });
    return id;
  }

  const prepareInput = (bulkResponseId: string, extra: object = {}) => ({
    bulkResponseId,
    companyId,
    source,
    command: reboot,
    rollout: undefined,
    afterDeviceId: null,
    limit: 100,
    ...extra,
  });

  it('when a page is prepared, then ineligible devices are recorded skipped and the rest come back with their presence', async () => {
    const { transport } = recordingTransport();
    const activities = createDeviceCommandActivities({ database, transport });
    const bulkResponseId = await newBulkResponse();
    const batch: PreparedBatch = await new MockActivityEnvironment().run(
      (input: PrepareBatchInput) => activities.prepareDeviceBatch(input),
      prepareInput(bulkResponseId),
    );
    assert.equal(batch.deviceCount, 6);
    assert.equal(batch.skipped, 1);
    assert.equal(batch.devices.length, 5);
    assert.deepEqual(
      batch.devices.filter((device) => device.online).map((device) => device.deviceId),
      [devices[1]!.deviceId],
    );
    const skipped = await listDeviceResults(database, bulkResponseId, 'skipped', { limit: 10, offset: 0 });
    assert.deepEqual(
      skipped.resources.map((row) => [row.device_id, row.reason]),
      [[devices[0]!.deviceId, 'inactive']],
    );
  });

  it('when devices already have a result, then a page prepared again leaves them out; the canary takes only online devices', async () => {
    const { transport } = recordingTransport();
    const activities = createDeviceCommandActivities({ database, transport });
    const bulkResponseId = await newBulkResponse();
    const recorded = devices.slice(2, 4).map((device) => ({
      deviceId: device.deviceId,
      uniqueId: `sim-${device.deviceId}`,
      status: 'success' as const,
      attempts: 1,
    }));
    await recordDeviceResults(database, bulkResponseId, recorded);
    const environment = new MockActivityEnvironment();
    const again: PreparedBatch = await environment.run(
      (input: PrepareBatchInput) => activities.prepareDeviceBatch(input),
      prepareInput(bulkResponseId, { excludeRecorded: true }),
    );
    assert.equal(again.deviceCount, 4);
    assert.ok(again.devices.every((device) => !recorded.some((row) => row.deviceId === device.deviceId)));
    const canary: PreparedBatch = await environment.run(
      (input: PrepareBatchInput) => activities.prepareDeviceBatch(input),
      prepareInput(await newBulkResponse(), { onlineOnly: true, limit: 3 }),
    );
    assert.deepEqual(
      canary.devices.map((device) => device.deviceId),
      [devices[1]!.deviceId],
    );
  });

  it('when a batch takes its devices, then a page loaded again finds the same ones and another batch finds none', async () => {
    const { transport } = recordingTransport();
    const activities = createDeviceCommandActivities({ database, transport });
    const bulkResponseId = await newBulkResponse();
    const environment = new MockActivityEnvironment();
    const prepare = (claimFor: string): Promise<PreparedBatch> =>
      environment.run(
        (input: PrepareBatchInput) => activities.prepareDeviceBatch(input),
        prepareInput(bulkResponseId, { excludeRecorded: true, claimFor }),
      );
    const first = await prepare('batch-0');
    const again = await prepare('batch-0');
    const other = await prepare('batch-1');
    assert.equal(first.devices.length, 5);
    assert.deepEqual(again.devices, first.devices, 'a retried page takes back its own devices');
    assert.equal(other.devices.length, 0, 'no other batch takes a claimed device');
    const pending = await listDeviceResults(database, bulkResponseId, 'pending', { limit: 10, offset: 0 });
    assert.equal(pending.total, 5);
  });

  it('when a sweep runs, then only devices new to the bulk response, or skipped and changed since, come back, once', async () => {
    const { transport } = recordingTransport();
    const activities = createDeviceCommandActivities({ database, transport });
    const bulkResponseId = await newBulkResponse();
    const environment = new MockActivityEnvironment();
    const prepare = (claimFor: string, newcomers = false): Promise<PreparedBatch> =>
      environment.run(
        (input: PrepareBatchInput) => activities.prepareDeviceBatch(input),
        prepareInput(bulkResponseId, { excludeRecorded: true, claimFor, ...(newcomers ? { newcomers } : {}) }),
      );
    const initial = await prepare('batch-0');
    assert.equal(initial.skipped, 1, 'the inactive device');
    const nothingNew = await prepare('batch-1', true);
    assert.equal(nothingNew.deviceCount, 0, 'the skipped device has not changed since');
    await database.query("update devices set active = true, updated_at = now() + interval '1 second' where id = $1", [
      devices[0]!.deviceId,
    ]);
    const reactivated = await prepare('batch-2', true);
    assert.deepEqual(
      reactivated.devices.map((device) => device.deviceId),
      [devices[0]!.deviceId],
    );
    assert.equal(reactivated.reconsidered, 1);
    assert.equal(reactivated.newDevices, 0);
    assert.equal((await prepare('batch-3', true)).deviceCount, 0, 'a device is taken once');
    await database.query('update devices set active = false where id = $1', [devices[0]!.deviceId]);
  });

  it('when a command is executed and re-sent, then both sends carry one execution id, the activity completes asynchronously, and attempts count the sends', async () => {
    const { transport, published } = recordingTransport();
    const activities = createDeviceCommandActivities({ database, transport });
    const bulkResponseId = await newBulkResponse();
    const device = devices[3]!;
    const input: DeviceCommandInput = {
      bulkResponseId,
      batchWorkflowId: `${bulkResponseId}-batch-0`,
      companyId,
      device: { deviceId: device.deviceId, uniqueId: `sim-${device.deviceId}`, online: false },
      command: reboot,
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      attempt: 1,
    };
    const environment = new MockActivityEnvironment();
    await assert.rejects(
      environment.run((command: DeviceCommandInput) => activities.executeDeviceCommand(command), input),
      CompleteAsyncError,
    );
    await environment.run(
      (command: DeviceCommandInput & { attempt: number }) => activities.resendDeviceCommand(command),
      { ...input, attempt: 2 },
    );
    assert.equal(published.length, 2);
    assert.equal(published[0]!.envelope.execution_id, `${bulkResponseId}-batch-0.${device.deviceId}`);
    assert.equal(published[1]!.envelope.execution_id, published[0]!.envelope.execution_id);
    const [row] = (await listDeviceResults(database, bulkResponseId, undefined, { limit: 10, offset: 0 })).resources;
    assert.deepEqual([row?.status, row?.attempts], ['enqueued', 2]);

    await recordDeviceResults(database, bulkResponseId, [
      { deviceId: device.deviceId, uniqueId: `sim-${device.deviceId}`, status: 'success', attempts: 2 },
    ]);
    await environment.run(
      (command: DeviceCommandInput & { attempt: number }) => activities.resendDeviceCommand(command),
      { ...input, attempt: 3 },
    );
    const [final] = (await listDeviceResults(database, bulkResponseId, undefined, { limit: 10, offset: 0 })).resources;
    assert.equal(final?.status, 'success', 'a late re-send never overwrites the answer');
  });
});
