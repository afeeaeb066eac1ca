import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { AuditEntry } from '../../contracts/audit.schema';
import { demoTemplateNames } from '../../registry/demo-templates';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';

const platform = '/api/v1/platform';

// Templates started for real and the audit trail of starts and controls, on the real engine (dev
// server, registry, worker) through HTTP, on the demo data. No devices are connected.
describe('templates and the audit trail of starts and controls, end to end', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let operator: ReturnType<typeof bulkResponseClient>;
  let tagged: string;

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    operator = bulkResponseClient(stack.app, demo.tokens.operator);
  });
  after(async () => {
    await stack?.stop();
  });

  const auditOf = async (query: string) =>
    (
      await request(stack.app)
        .get(`${platform}/audit?per_page=1000&${query}`)
        .set('Authorization', demo.tokens.admin)
        .expect(200)
    ).body as AuditEntry[];
  const templateId = async (name: string) =>
    (await stack.database.query<{ id: string }>('select id from action_templates where name = $1', [name]))[0]!.id;

  it('when an operator saves a template and starts it with an override, then the merged action runs to completion', async () => {
    const created = await request(stack.app)
      .post(`${platform}/action_templates`)
      .set('Authorization', demo.tokens.operator)
      .send({ name: 'Spring tags', body: { action: 'add_tags', tags: ['spring'], rollout: { max_in_flight: 10 } } })
      .expect(201);
    const id = (created.body as { _id: string })._id;
    tagged = await operator.start(demo.fleetId('Lobby devices'), { template_id: id, tags: ['summer'] });
    const ended = await operator.waitForEnd(tagged);
    assert.equal(ended.status, 'completed');
    assert.deepEqual(ended.request, { action: 'add_tags', tags: ['summer'], rollout: { max_in_flight: 10 } });
    const [summer] = await stack.database.query<{ count: string }>(
      "select count(*) from devices where 'summer' = any(tags) and not 'spring' = any(tags)",
    );
    assert.equal(Number(summer!.count), ended.counts.success);
    assert.ok(ended.counts.success > 0);
  });

  it("when an operator starts, retries and pauses, then an admin's audit trail lists each with the operator, refusals included", async () => {
    const retry = await operator.control(tagged, 'retry').send({ statuses: ['success'] });
    assert.equal(retry.status, 400);
    assert.equal((await operator.control(tagged, 'pause')).status, 409);
    const entries = await auditOf(`object_id=${tagged}`);
    assert.deepEqual(
      entries.map((entry) => [entry.action, entry.result.status_code, entry.actor.email]),
      [
        ['bulk_response.pause', 409, 'operator@demo.example.com'],
        ['bulk_response.retry', 400, 'operator@demo.example.com'],
        ['bulk_response.start', 202, 'operator@demo.example.com'],
      ],
    );
    const start = entries[2]!;
    assert.deepEqual(start.object, { type: 'bulk_response', id: tagged });
    assert.equal(start.path, `${platform}/fleets/${demo.fleetId('Lobby devices')}/actions`);
    assert.deepEqual(start.request, { template_id: await templateId('Spring tags'), tags: ['summer'] });
  });

  it('when the built-in configuration template is started and canceled, then both are recorded, and a viewer trying is too', async () => {
    const pushed = await operator.start(demo.fleetId('Gateways'), {
      template_id: await templateId(demoTemplateNames.pushConfiguration),
    });
    assert.equal((await operator.control(pushed, 'cancel')).status, 202);
    assert.equal((await operator.waitForEnd(pushed)).status, 'canceled');
    const refused = await request(stack.app)
      .post(`${platform}/fleets/${demo.fleetId('Gateways')}/actions`)
      .set('Authorization', demo.tokens.viewer)
      .send({ action: 'add_tags', tags: ['x'] });
    assert.equal(refused.status, 403);
    const actions = (await auditOf('action=bulk_response.cancel')).map((entry) => entry.object.id);
    assert.deepEqual(actions, [pushed]);
    const starts = await auditOf('action=bulk_response.start&actor=viewer@demo.example.com');
    assert.deepEqual(
      starts.map((entry) => [entry.result.status_code, entry.object.id]),
      [[403, null]],
    );
  });

  it('when sendCommandsBulk is called, then its bulk response is recorded from the answer header', async () => {
    const response = await request(stack.app)
      .post('/api/public/v1/devices/sendCommandsBulk')
      .set('Authorization', `Bearer ${demo.tokens.operator}`)
      .send({ device_serials: ['GW-0001', 'NOPE-1'], reboot: true });
    assert.equal(response.status, 207);
    const bulkResponseId = response.get('X-Bulk-Response-Id');
    assert.match(bulkResponseId ?? '', /^[0-9a-f]{24}$/);
    assert.equal((await operator.control(bulkResponseId!, 'cancel')).status, 202);
    const [entry] = await auditOf('action=bulk_response.send_commands');
    assert.deepEqual(
      [entry?.result, entry?.object.id, entry?.request],
      [
        { status_code: 207, bulk_response_id: bulkResponseId },
        bulkResponseId,
        { device_serials: ['GW-0001', 'NOPE-1'], reboot: true },
      ],
    );
  });
});
