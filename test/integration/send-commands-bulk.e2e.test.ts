import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { sendCommandsBulk as sendCommandsBulkService } from '../../api/services/send-commands-bulk.service';
import { sendCommandsBulkRequestSchema } from '../../contracts/send-commands-bulk.schema';
import type { BulkResponseRecord } from '../../registry/bulk-responses.repository';
import { rotateDeviceCredentials } from '../../registry/device-credentials.repository';
import { startSimulatedFleet, type SimulatedFleet } from '../../simulator/device-fleet';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { insertCompanyWithDevices, silentLogger } from '../support/transport-fixtures';

const sendCommandsBulk = '/api/public/v1/devices/sendCommandsBulk';
const bulkResponses = '/api/v1/platform/bulk_responses';
const sent = { headers: {}, original: { data: 'Command sent!!' }, exception: null };
const queued = { headers: {}, original: { data: 'Command queued' }, exception: null };
const refused = (errors: string) => ({ headers: {}, original: { errors }, exception: null });

async function waitForEnd(stack: EngineStack, token: string, id: string): Promise<BulkResponseRecord> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const response = await request(stack.app).get(`${bulkResponses}/${id}`).set('Authorization', token).expect(200);
    const body = response.body as BulkResponseRecord;
    if (body.completed_at) return body;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`bulk response ${id} did not end within 30 s`);
}

describe('IRIS360 sendCommandsBulk end to end (dev server, registry, worker, broker, simulated devices)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleet: SimulatedFleet;
  let foreignSerial: string;

  const deviceIdsOf = async (serials: string[]) => {
    const rows = await stack.database.query<{ id: string }>(
      'select id from devices where company_id = $1 and unique_id = any($2::text[])',
      [demo.credentials.company_id, serials],
    );
    return rows.map((row) => row.id);
  };

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    const online = await rotateDeviceCredentials(
      stack.database,
      demo.credentials.company_id,
      await deviceIdsOf(['GW-0001', 'GW-0002', 'SN-0001']),
    );
    fleet = await startSimulatedFleet({
      url: stack.broker.url,
      devices: online.map((credential) => ({
        companyId: demo.credentials.company_id,
        deviceId: credential.device_id,
        username: credential.username,
        password: credential.password,
      })),
      behaviour: { latency: { minMs: 10, maxMs: 50 } },
      logger: silentLogger,
    });
    const other = await insertCompanyWithDevices(stack.database, 1);
    foreignSerial = `sim-${other.devices[0]!.deviceId}`;
  });
  after(async () => {
    await fleet?.stop();
    await stack?.stop();
  });

  it('when serials mix a capable gateway, a sensor lacking commands, unknown, foreign, inactive and repeated ones, then 207 answers each in order and one bulk response succeeds on the capable devices', async () => {
    const serials = [
      'GW-0001',
      'SN-0001',
      'NOPE-404',
      'gw-0002',
      foreignSerial,
      'GW-0020',
      'GW-0002',
      'GW-0001',
      'CN-0001',
    ];
    const startedAt = Date.now();
    const response = await request(stack.app)
      .post(sendCommandsBulk)
      .set('Authorization', `Bearer ${demo.tokens.operator}`)
      .send({ device_serials: serials, log_level: { level: 'debug' }, reboot: true, status: {} })
      .expect(207);
    assert.ok(Date.now() - startedAt < 8000, 'online devices are dispatched well within the bound');
    assert.deepEqual(response.body, [
      sent,
      refused('You cannot send any of: log_level, status'),
      refused('Device not found: NOPE-404'),
      refused('Device not found: gw-0002'),
      refused(`Device not found: ${foreignSerial}`),
      refused('Device is inactive: GW-0020'),
      sent,
      sent,
      refused('You cannot send any of: reboot'),
    ]);

    const id = response.get('X-Bulk-Response-Id');
    assert.match(id ?? '', /^[0-9a-f]{24}$/);
    const final = await waitForEnd(stack, demo.tokens.viewer, id!);
    assert.equal(final.status, 'completed');
    assert.equal(final.fleet_id, null);
    assert.equal(final.action, 'issue_command');
    assert.deepEqual(final.request, {
      action: 'issue_command',
      commands: { log_level: { level: 'debug' }, reboot: true, status: {} },
      rollout: { max_in_flight: 500 },
    });
    assert.equal(final.counts.total, 2);
    assert.equal(final.counts.success, 2);
    const devices = await request(stack.app)
      .get(`${bulkResponses}/${id}/responses`)
      .set('Authorization', demo.tokens.viewer)
      .expect(200);
    const entries = (devices.body as { resources: { unique_id: string; status: string }[] }).resources;
    assert.deepEqual(entries.map((entry) => [entry.unique_id, entry.status]).sort(), [
      ['GW-0001', 'success'],
      ['GW-0002', 'success'],
    ]);
    assert.equal(fleet.stats().commandsActed, 2);
  });

  it('when a capable device is offline, then its command is queued at once and the answer does not wait for it', async () => {
    const startedAt = Date.now();
    const response = await request(stack.app)
      .post(sendCommandsBulk)
      .set('Authorization', demo.tokens.operator)
      .send({ device_serials: ['GW-0003'], reboot: true })
      .expect(207);
    assert.ok(Date.now() - startedAt < 8000, 'an offline device does not hold the answer until the bound');
    assert.deepEqual(response.body, [sent]);
    const id = response.get('X-Bulk-Response-Id')!;
    const entries = await request(stack.app)
      .get(`${bulkResponses}/${id}/responses`)
      .set('Authorization', demo.tokens.viewer)
      .expect(200);
    assert.deepEqual(
      (entries.body as { resources: { status: string }[] }).resources.map((entry) => entry.status),
      ['enqueued'],
    );
    await request(stack.app)
      .post(`${bulkResponses}/${id}/cancel`)
      .set('Authorization', demo.tokens.operator)
      .expect(202);
    assert.equal((await waitForEnd(stack, demo.tokens.viewer, id)).status, 'canceled');
  });

  it('when a device fails the commands, then the bulk response can be retried over it with the same commands', async () => {
    const [credential] = await rotateDeviceCredentials(
      stack.database,
      demo.credentials.company_id,
      await deviceIdsOf(['GW-0004']),
    );
    const failing = await startSimulatedFleet({
      url: stack.broker.url,
      devices: [
        {
          companyId: demo.credentials.company_id,
          deviceId: credential!.device_id,
          username: credential!.username,
          password: credential!.password,
        },
      ],
      behaviour: { latency: { minMs: 0, maxMs: 10 }, failureRate: 1 },
      logger: silentLogger,
    });
    try {
      const response = await request(stack.app)
        .post(sendCommandsBulk)
        .set('Authorization', demo.tokens.operator)
        .send({ device_serials: ['GW-0004'], backup: { target: 'cloud' } })
        .expect(207);
      assert.deepEqual(response.body, [sent]);
      const parentId = response.get('X-Bulk-Response-Id')!;
      const parent = await waitForEnd(stack, demo.tokens.viewer, parentId);
      assert.equal(parent.status, 'completed_with_errors');
      assert.equal(parent.counts.fail, 1);
      const retried = await request(stack.app)
        .post(`${bulkResponses}/${parentId}/retry`)
        .set('Authorization', demo.tokens.operator)
        .expect(202);
      const retry = await waitForEnd(
        stack,
        demo.tokens.viewer,
        (retried.body as { bulk_response_id: string }).bulk_response_id,
      );
      assert.equal(retry.parent_id, parentId);
      assert.deepEqual(retry.request, parent.request);
      assert.equal(retry.counts.total, 1);
      assert.equal(failing.stats().commandsActed, 2);
    } finally {
      await failing.stop();
    }
  });

  it('when the dispatch bound passes before a device is reached, then it answers Command queued and is still commanded', async () => {
    const [operator] = await stack.database.query<{ id: string; email: string }>(
      `select id, email from users where company_id = $1 and role = 'operator'`,
      [demo.credentials.company_id],
    );
    const dependencies = {
      config: stack.config,
      database: stack.database,
      temporal: stack.temporal,
      logger: silentLogger,
    };
    const caller = {
      userId: operator!.id,
      companyId: demo.credentials.company_id,
      role: 'operator' as const,
      email: operator!.email,
    };
    const body = sendCommandsBulkRequestSchema.parse({ device_serials: ['GW-0002', 'NOPE-2'], heartbeat: true });
    // A zero bound answers from the first look, taken before the workflow can have reached the device.
    const result = await sendCommandsBulkService(dependencies, caller, body, 0);
    assert.deepEqual(result.items, [queued, refused('Device not found: NOPE-2')]);
    const final = await waitForEnd(stack, demo.tokens.viewer, result.bulkResponseId!);
    assert.equal(final.counts.success, 1);
  });

  it('when no serial can take the commands, then 207 carries only errors and no bulk response starts', async () => {
    const [before] = await stack.database.query<{ count: number }>('select count(*)::int as count from bulk_responses');
    const response = await request(stack.app)
      .post(sendCommandsBulk)
      .set('Authorization', demo.tokens.admin)
      .send({ device_serials: ['SN-0002', 'NOPE-1'], w_ota: true })
      .expect(207);
    assert.deepEqual(response.body, [refused('You cannot send any of: w_ota'), refused('Device not found: NOPE-1')]);
    assert.equal(response.get('X-Bulk-Response-Id'), undefined);
    const [afterwards] = await stack.database.query<{ count: number }>(
      'select count(*)::int as count from bulk_responses',
    );
    assert.equal(afterwards?.count, before?.count);
  });

  it('when device_serials or every command is missing, or serials exceed 1,000, then 400 names the field', async () => {
    const send = (body: unknown) =>
      request(stack.app)
        .post(sendCommandsBulk)
        .set('Authorization', demo.tokens.operator)
        .send(body as object)
        .expect(400);
    const fieldsOf = (body: unknown) =>
      (body as { details: { field: string }[] }).details.map((detail) => detail.field);
    assert.deepEqual(fieldsOf((await send({ reboot: true })).body), ['device_serials']);
    assert.deepEqual(fieldsOf((await send({ device_serials: [], reboot: true })).body), ['device_serials']);
    assert.deepEqual(fieldsOf((await send({ device_serials: ['GW-0001'] })).body), ['command']);
    const tooMany = Array.from({ length: 1001 }, (_, index) => `X-${index}`);
    const capped = await send({ device_serials: tooMany, reboot: true });
    assert.deepEqual(fieldsOf(capped.body), ['device_serials']);
    assert.match((capped.body as { error: string }).error, /device_serials/);
  });

  it('when a viewer sends commands, then 403 refuses and nothing starts', async () => {
    const [before] = await stack.database.query<{ count: number }>('select count(*)::int as count from bulk_responses');
    const response = await request(stack.app)
      .post(sendCommandsBulk)
      .set('Authorization', demo.tokens.viewer)
      .send({ device_serials: ['GW-0001'], reboot: true })
      .expect(403);
    assert.match((response.body as { error: string }).error, /Forbidden/);
    const [afterwards] = await stack.database.query<{ count: number }>(
      'select count(*)::int as count from bulk_responses',
    );
    assert.equal(afterwards?.count, before?.count);
  });

  it('when the OpenAPI document is fetched, then it describes sendCommandsBulk and every bulk-response route', async () => {
    const document = (await request(stack.app).get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    assert.ok(document.paths['/api/public/v1/devices/sendCommandsBulk']?.post?.responses['207']);
    const bulk = `${bulkResponses}/{bulk_response_id}`;
    assert.ok(document.paths[bulkResponses]?.get);
    assert.ok(document.paths[bulk]?.get);
    assert.ok(document.paths[`${bulk}/responses`]?.get);
    for (const control of ['cancel', 'pause', 'resume', 'retry'])
      assert.ok(document.paths[`${bulk}/${control}`]?.post, control);
  });
});
