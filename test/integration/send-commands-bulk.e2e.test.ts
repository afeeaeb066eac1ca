import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { Role } from '../../api/caller';
import { sendCommandsBulk } from '../../api/services/send-commands-bulk.service';
import { sendCommandsBulkRequestSchema } from '../../contracts/send-commands-bulk.schema';
import { rotateDeviceCredentials } from '../../registry/device-credentials.repository';
import type { DeviceBehaviour } from '../../simulator/device-behaviour';
import { startSimulatedFleet, type SimulatedFleet } from '../../simulator/device-fleet';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { assertEveryEndedRolloutTallies } from '../support/rollout-tally';
import { insertCompanyWithDevices, silentLogger } from '../support/transport-fixtures';

const path = '/api/public/v1/devices/sendCommandsBulk';
const item = (original: object) => ({ headers: {}, original, exception: null });
const sent = item({ data: 'Command sent!!' });
const queued = item({ data: 'Command queued' });
const refused = (errors: string) => item({ errors });

describe('IRIS360 sendCommandsBulk end to end (dev server, registry, worker, broker, simulated devices)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleet: SimulatedFleet;
  let foreignSerial: string;
  let tracker: ReturnType<typeof bulkResponseClient>;

  const send = (role: Role, body: object) =>
    request(stack.app).post(path).set('Authorization', `Bearer ${demo.tokens[role]}`).send(body);
  const bulkResponseCount = async () =>
    (await stack.database.query<{ count: number }>('select count(*)::int as count from bulk_responses'))[0]?.count;
  // Demo devices by serial, connected through the simulator with fresh credentials.
  // Every simulated fleet of the suite, for the final tally.
  const fleets: SimulatedFleet[] = [];
  const simulate = async (serials: string[], behaviour: Partial<DeviceBehaviour>) => {
    const companyId = demo.credentials.company_id;
    const rows = await stack.database.query<{ id: string }>(
      'select id from devices where company_id = $1 and unique_id = any($2::text[])',
      [companyId, serials],
    );
    const credentials = await rotateDeviceCredentials(
      stack.database,
      companyId,
      rows.map((row) => row.id),
    );
    const simulated = await startSimulatedFleet({
      url: stack.broker.url,
      devices: credentials.map(({ device_id: deviceId, username, password }) => ({
        companyId,
        deviceId,
        username,
        password,
      })),
      behaviour,
      logger: silentLogger,
    });
    fleets.push(simulated);
    return simulated;
  };

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    tracker = bulkResponseClient(stack.app, demo.tokens.viewer);
    fleet = await simulate(['GW-0001', 'GW-0002', 'SN-0001'], { latency: { minMs: 10, maxMs: 50 } });
    const other = await insertCompanyWithDevices(stack.database, 1);
    foreignSerial = `sim-${other.devices[0]!.deviceId}`;
  });
  after(async () => {
    await fleet?.stop();
    await stack?.stop();
  });

  it('when serials mix capable, incapable, unknown, foreign, inactive and repeated devices, then 207 answers each in order and one bulk response succeeds on the capable ones', async () => {
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
    const commands = { log_level: { level: 'debug' }, reboot: true, status: {} };
    const startedAt = Date.now();
    const response = await send('operator', { device_serials: serials, ...commands }).expect(207);
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

    const id = response.get('X-Bulk-Response-Id') ?? '';
    assert.match(id, /^[0-9a-f]{24}$/);
    const final = await tracker.waitForEnd(id, 30_000);
    assert.equal(final.status, 'completed');
    assert.equal(final.fleet_id, null);
    assert.deepEqual(final.request, { action: 'issue_command', commands, rollout: { max_in_flight: 500 } });
    assert.equal(final.counts.total, 2);
    assert.equal(final.counts.success, 2);
    const entries = (await tracker.responses(id)).resources.map((entry) => [entry.unique_id, entry.status]);
    assert.deepEqual(entries.sort(), [
      ['GW-0001', 'success'],
      ['GW-0002', 'success'],
    ]);
    assert.equal(fleet.stats().commandsActed, 2);
  });

  it('when a capable device is offline, then its command is queued at once and the answer does not wait for it', async () => {
    const startedAt = Date.now();
    const response = await send('operator', { device_serials: ['GW-0003'], reboot: true }).expect(207);
    assert.ok(Date.now() - startedAt < 8000, 'an offline device does not hold the answer until the bound');
    assert.deepEqual(response.body, [sent]);
    const id = response.get('X-Bulk-Response-Id')!;
    assert.deepEqual(
      (await tracker.responses(id)).resources.map((entry) => entry.status),
      ['enqueued'],
    );
    await bulkResponseClient(stack.app, demo.tokens.operator).control(id, 'cancel').expect(202);
    assert.equal((await tracker.waitForEnd(id, 30_000)).status, 'canceled');
  });

  it('when a device fails the commands, then the bulk response can be retried over it with the same commands', async () => {
    const failing = await simulate(['GW-0004'], { latency: { minMs: 0, maxMs: 10 }, failureRate: 1 });
    try {
      const response = await send('operator', { device_serials: ['GW-0004'], backup: { target: 'cloud' } }).expect(207);
      assert.deepEqual(response.body, [sent]);
      const parent = await tracker.waitForEnd(response.get('X-Bulk-Response-Id')!, 30_000);
      assert.equal(parent.status, 'completed_with_errors');
      assert.equal(parent.counts.fail, 1);
      const retried = await bulkResponseClient(stack.app, demo.tokens.operator)
        .control(parent._id, 'retry')
        .expect(202);
      const retry = await tracker.waitForEnd((retried.body as { bulk_response_id: string }).bulk_response_id, 30_000);
      assert.equal(retry.parent_id, parent._id);
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
    const result = await sendCommandsBulk(dependencies, caller, body, 0);
    assert.deepEqual(result.items, [queued, refused('Device not found: NOPE-2')]);
    assert.equal((await tracker.waitForEnd(result.bulkResponseId!, 30_000)).counts.success, 1);
  });

  it('when no serial can take the commands, then 207 carries only errors and no bulk response starts', async () => {
    const before = await bulkResponseCount();
    const response = await send('admin', { device_serials: ['SN-0002', 'NOPE-1'], w_ota: true }).expect(207);
    assert.deepEqual(response.body, [refused('You cannot send any of: w_ota'), refused('Device not found: NOPE-1')]);
    assert.equal(response.get('X-Bulk-Response-Id'), undefined);
    assert.equal(await bulkResponseCount(), before);
  });

  it('when device_serials or every command is missing, or serials exceed 1,000, then 400 names the field', async () => {
    const fieldsOf = async (body: object) => {
      const response = await send('operator', body).expect(400);
      return (response.body as { details: { field: string }[] }).details.map((detail) => detail.field);
    };
    assert.deepEqual(await fieldsOf({ reboot: true }), ['device_serials']);
    assert.deepEqual(await fieldsOf({ device_serials: [], reboot: true }), ['device_serials']);
    assert.deepEqual(await fieldsOf({ device_serials: ['GW-0001'] }), ['command']);
    const tooMany = Array.from({ length: 1001 }, (_, index) => `X-${index}`);
    assert.deepEqual(await fieldsOf({ device_serials: tooMany, reboot: true }), ['device_serials']);
  });

  it('when a viewer sends commands, then 403 refuses and nothing starts', async () => {
    const before = await bulkResponseCount();
    const response = await send('viewer', { device_serials: ['GW-0001'], reboot: true }).expect(403);
    assert.match((response.body as { error: string }).error, /Forbidden/);
    assert.equal(await bulkResponseCount(), before);
  });

  it('when the OpenAPI document is fetched, then it describes sendCommandsBulk and every bulk-response route', async () => {
    const document = (await request(stack.app).get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    assert.ok(document.paths[path]?.post?.responses['207']);
    const bulk = '/api/v1/platform/bulk_responses';
    for (const route of [bulk, `${bulk}/{bulk_response_id}`, `${bulk}/{bulk_response_id}/responses`]) {
      assert.ok(document.paths[route]?.get, route);
    }
    for (const control of ['cancel', 'pause', 'resume', 'retry']) {
      assert.ok(document.paths[`${bulk}/{bulk_response_id}/${control}`]?.post, control);
    }
  });

  it("when the suite's rollouts ended, then each tallies: counts are the entries, each final once, acted = success + fail", async () => {
    const tallied = await assertEveryEndedRolloutTallies({
      app: stack.app,
      token: demo.tokens.viewer,
      database: stack.database,
      companyId: demo.credentials.company_id,
      fleets: fleets,
    });
    assert.ok(tallied > 0);
  });
});
