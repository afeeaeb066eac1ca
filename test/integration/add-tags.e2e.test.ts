import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { BulkResponseRecord } from '../../registry/bulk-responses.repository';
import { insertDevices } from '../../harness/device-fixtures';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { assertEveryEndedRolloutTallies } from '../support/rollout-tally';

const platform = '/api/v1/platform';

async function waitForEnd(stack: EngineStack, token: string, id: string): Promise<BulkResponseRecord> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const response = await request(stack.app)
      .get(`${platform}/bulk_responses/${id}`)
      .set('Authorization', token)
      .expect(200);
    const body = response.body as BulkResponseRecord;
    if (body.completed_at) return body;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`bulk response ${id} did not end within a minute`);
}

describe('add_tags end to end (dev server, registry, worker, HTTP)', () => {
  let stack: EngineStack;
  let demo: DemoSession;

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
  });
  after(async () => {
    await stack?.stop();
  });

  // A fleet made for the test, tagged by the operator; answers the ended bulk response.
  async function tagNewFleet(name: string, criteria: Record<string, unknown>, tags: string[]) {
    const fleet = await request(stack.app)
      .post(`${platform}/fleets`)
      .set('Authorization', demo.tokens.admin)
      .send({ name, criteria })
      .expect(201);
    const started = await request(stack.app)
      .post(`${platform}/fleets/${(fleet.body as { _id: string })._id}/actions`)
      .set('Authorization', demo.tokens.operator)
      .send({ action: 'add_tags', tags })
      .expect(202);
    return waitForEnd(stack, demo.tokens.viewer, (started.body as { bulk_response_id: string }).bulk_response_id);
  }

  it('when an operator tags a fleet, then every active member gains the tag once and inactive ones are skipped', async () => {
    const fleetId = demo.fleetId('Lobby devices');
    const started = await request(stack.app)
      .post(`${platform}/fleets/${fleetId}/actions`)
      .set('Authorization', `Bearer ${demo.tokens.operator}`)
      .send({ action: 'add_tags', tags: ['spring-2027', 'lobby'] })
      .expect(202);
    const { bulk_response_id: id, status } = started.body as { bulk_response_id: string; status: string };
    assert.equal(status, 'pending');
    const final = await waitForEnd(stack, demo.tokens.viewer, id);

    const members = await stack.database.query<{ active: boolean; tags: string[] }>(
      `select active, tags from devices where company_id = $1 and tags @> '{lobby}'`,
      [demo.credentials.company_id],
    );
    const active = members.filter((device) => device.active);
    assert.ok(active.length > 0 && active.length < members.length, 'the demo fleet mixes active and inactive devices');
    assert.ok(active.every((device) => device.tags.filter((tag) => tag === 'spring-2027').length === 1));
    assert.ok(active.every((device) => device.tags.filter((tag) => tag === 'lobby').length === 1));
    assert.ok(members.filter((device) => !device.active).every((device) => !device.tags.includes('spring-2027')));
    const [outside] = await stack.database.query<{ count: number }>(
      `select count(*)::int as count from devices where company_id = $1 and 'spring-2027' = any(tags) and not tags @> '{lobby}'`,
      [demo.credentials.company_id],
    );
    assert.equal(outside?.count, 0);

    assert.equal(final.status, 'completed');
    assert.equal(final.counts.total, members.length);
    assert.equal(final.counts.success, active.length);
    assert.equal(final.counts.skipped, members.length - active.length);
    const skipped = await request(stack.app)
      .get(`${platform}/bulk_responses/${id}/responses?status=skipped&per_page=1000`)
      .set('Authorization', demo.tokens.viewer)
      .expect(200);
    const skippedBody = skipped.body as { total: number; resources: { reason: string; acknowledged_at: unknown }[] };
    assert.equal(skippedBody.total, members.length - active.length);
    assert.ok(skippedBody.resources.every((entry) => entry.reason === 'inactive'));
    // Every entry says whether the device answered: null for a device never acted on.
    assert.ok(skippedBody.resources.every((entry) => entry.acknowledged_at === null));
    const acted = await request(stack.app)
      .get(`${platform}/bulk_responses/${id}/responses?status=success&per_page=1000`)
      .set('Authorization', demo.tokens.viewer)
      .expect(200);
    const actedEntries = (acted.body as { resources: { acknowledged_at: unknown }[] }).resources;
    assert.equal(actedEntries.length, active.length);
    assert.ok(actedEntries.every((entry) => typeof entry.acknowledged_at === 'string'));
    const metrics = (await request(stack.app).get('/metrics').set('Authorization', demo.tokens.admin).expect(200)).text;
    assert.match(metrics, /fleet_bulk_responses_started_total\{action="add_tags"\} [1-9]/);
    assert.match(metrics, /fleet_bulk_responses_finished_total\{action="add_tags",status="completed"\} [1-9]/);
  });

  it('when the same Idempotency-Key is replayed, then the same bulk response answers; with another body, 409', async () => {
    const fleetId = demo.fleetId('Gateways');
    const send = (tags: string[]) =>
      request(stack.app)
        .post(`${platform}/fleets/${fleetId}/actions`)
        .set('Authorization', demo.tokens.operator)
        .set('Idempotency-Key', 'rollout-42')
        .send({ action: 'add_tags', tags });
    const first = await send(['a']).expect(202);
    const second = await send(['a']).expect(202);
    assert.equal(
      (second.body as { bulk_response_id: string }).bulk_response_id,
      (first.body as { bulk_response_id: string }).bulk_response_id,
    );
    const conflict = await send(['b']).expect(409);
    assert.match((conflict.body as { error: string }).error, /Idempotency-Key/);
    const listed = await request(stack.app)
      .get(`${platform}/bulk_responses?fleet_id=${fleetId}&page_meta=true`)
      .set('Authorization', demo.tokens.viewer)
      .expect(200);
    assert.equal((listed.body as { total: number }).total, 1);
  });

  it('when a fleet spans several registry pages, then each device is tagged once and every page is counted', async () => {
    const deviceCount = 4_321;
    const devices = await insertDevices(stack.database, demo.credentials.company_id, deviceCount);
    const [{ device_type_id: typeId } = { device_type_id: '' }] = await stack.database.query<{
      device_type_id: string;
    }>('select device_type_id from devices where id = $1', [devices[0]!.deviceId]);
    await stack.database.query('update devices set active = false where id = $1', [devices[7]!.deviceId]);
    const final = await tagNewFleet('Many pages', { device_type_ids: [typeId] }, ['paged']);

    assert.equal(final.status, 'completed');
    assert.deepEqual(
      { total: final.counts.total, success: final.counts.success, skipped: final.counts.skipped },
      { total: deviceCount, success: deviceCount - 1, skipped: 1 },
    );
    const [tagged] = await stack.database.query<{ count: number }>(
      `select count(*)::int as count from devices where device_type_id = $1 and tags = '{paged}'`,
      [typeId],
    );
    assert.equal(tagged?.count, deviceCount - 1, 'every active device carries the tag exactly once');
  });

  it('when the fleet is empty, then the bulk response completes at once with total 0', async () => {
    const final = await tagNewFleet('Nobody', { unique_ids: ['no-such-device'] }, ['x']);
    assert.equal(final.status, 'completed');
    assert.equal(final.counts.total, 0);
  });

  it('when the body is invalid or the caller is a viewer, then 400 names the field and 403 refuses, starting nothing', async () => {
    const fleetId = demo.fleetId('Gateways');
    const invalid = await request(stack.app)
      .post(`${platform}/fleets/${fleetId}/actions`)
      .set('Authorization', demo.tokens.operator)
      .send({ action: 'add_tags', tags: [] })
      .expect(400);
    assert.ok(JSON.stringify(invalid.body).includes('tags'));
    await request(stack.app)
      .post(`${platform}/fleets/${fleetId}/actions`)
      .set('Authorization', demo.tokens.viewer)
      .send({ action: 'add_tags', tags: ['x'] })
      .expect(403);
    await request(stack.app)
      .post(`${platform}/fleets/${'0'.repeat(24)}/actions`)
      .set('Authorization', demo.tokens.operator)
      .send({ action: 'add_tags', tags: ['x'] })
      .expect(404);
    const [count] = await stack.database.query<{ count: number }>(
      `select count(*)::int as count from bulk_responses where fleet_id = $1 and request->'tags' = '["x"]'`,
      [fleetId],
    );
    assert.equal(count?.count, 0);
  });

  it("when the suite's rollouts ended, then each tallies: counts are the entries, each final once, acted = success + fail", async () => {
    const tallied = await assertEveryEndedRolloutTallies({
      app: stack.app,
      token: demo.tokens.viewer,
      database: stack.database,
      companyId: demo.credentials.company_id,
      fleets: [],
    });
    assert.ok(tallied > 0);
  });
});
