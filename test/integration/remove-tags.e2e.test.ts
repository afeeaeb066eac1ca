import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { FleetActionPreview } from '../../contracts/fleet-action-preview.schema';
import { insertDevices } from '../../harness/device-fixtures';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openCliSession } from '../support/cli-process';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';

const platform = '/api/v1/platform';

// remove_tags on the real stack (dev server, registry, worker, HTTP, and the real CLI binary):
// the set difference add_tags undoes, one page-wide statement per page like every registry action.
describe('remove_tags end to end (dev server, registry, worker, HTTP, CLI)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let operator: ReturnType<typeof bulkResponseClient>;

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    operator = bulkResponseClient(stack.app, demo.tokens.operator);
  });
  after(async () => {
    await stack?.stop();
  });

  const createFleet = async (name: string, criteria: Record<string, unknown>) =>
    (
      (
        await request(stack.app)
          .post(`${platform}/fleets`)
          .set('Authorization', demo.tokens.admin)
          .send({ name, criteria })
          .expect(201)
      ).body as { _id: string }
    )._id;
  const preview = async (fleetId: string, body: Record<string, unknown>) =>
    (
      await request(stack.app)
        .post(`${platform}/fleets/${fleetId}/actions/preview`)
        .set('Authorization', demo.tokens.operator)
        .send(body)
        .expect(200)
    ).body as FleetActionPreview;
  const run = async (fleetId: string, body: Record<string, unknown>) => {
    const id = await operator.start(fleetId, body);
    return { id, final: await operator.waitForEnd(id) };
  };
  const resultRows = async (id: string) =>
    (
      await stack.database.query<{ rows: number; devices: number }>(
        `select count(*)::int as rows, count(distinct device_id)::int as devices
         from bulk_response_devices where bulk_response_id = $1`,
        [id],
      )
    )[0]!;

  it('when add_tags then remove_tags run on the lobby fleet, then a fleet of that tag goes from its members to none', async () => {
    const lobby = demo.fleetId('Lobby devices');
    const probe = await createFleet('probe', { tags_all: ['j-probe'] });
    await run(lobby, { action: 'add_tags', tags: ['j-probe'] });
    const tagged = (await preview(probe, { action: 'add_tags', tags: ['x'] })).total;

    const { id, final } = await run(lobby, { action: 'remove_tags', tags: ['j-probe'] });
    const members = await stack.database.query<{ active: boolean; tags: string[] }>(
      `select active, tags from devices where company_id = $1 and 'lobby' = any(tags)`,
      [demo.credentials.company_id],
    );
    const active = members.filter((device) => device.active).length;
    assert.ok(tagged > 0 && tagged === active, `${tagged} tagged of ${active} active lobby devices`);
    assert.equal((await preview(probe, { action: 'add_tags', tags: ['x'] })).total, 0);
    assert.equal(final.status, 'completed');
    assert.deepEqual(
      { total: final.counts.total, success: final.counts.success, skipped: final.counts.skipped },
      { total: members.length, success: active, skipped: members.length - active },
    );
    // The demo's lobby devices carry [site, 'lobby']: what add_tags appended is gone, the rest in order.
    assert.ok(members.every((device) => /^site-[ab],lobby$/.test(device.tags.join(','))));
    const skipped = await operator.responses(id, 'skipped');
    assert.ok(skipped.total > 0 && skipped.resources.every((entry) => entry.reason === 'inactive'));
    const metrics = (await request(stack.app).get('/metrics').set('Authorization', demo.tokens.admin).expect(200)).text;
    assert.match(metrics, /fleet_bulk_responses_finished_total\{action="remove_tags",status="completed"\} [1-9]/);
  });

  it('when a tag is added then removed over thousands of devices, then each active device loses it once, keeps its other tags in order, and counts add up', async () => {
    const deviceCount = 4_321;
    const devices = await insertDevices(stack.database, demo.credentials.company_id, deviceCount);
    const ids = devices.map((device) => device.deviceId);
    const [{ typeId } = { typeId: '' }] = await stack.database.query<{ typeId: string }>(
      'select device_type_id as "typeId" from devices where id = $1',
      [ids[0]],
    );
    // A third lack the tags the action names; one device is inactive from the start.
    await stack.database.query(`update devices set tags = '{keep-a,keep-b}' where device_type_id = $1`, [typeId]);
    await stack.database.query(`update devices set tags = '{keep-b}' where id = any($1::text[])`, [
      ids.filter((_, index) => index % 3 === 0),
    ]);
    await stack.database.query('update devices set active = false where id = $1', [ids[7]]);
    const fleet = await createFleet('Many pages', { device_type_ids: [typeId] });
    const carrying = await createFleet('Carrying the probe', { device_type_ids: [typeId], tags_all: ['probe'] });
    const added = await run(fleet, { action: 'add_tags', tags: ['probe'] });
    assert.equal(added.final.counts.success, deviceCount - 1);
    // Deactivated after it was tagged: remove_tags must leave it as it is.
    await stack.database.query('update devices set active = false where id = $1', [ids[8]]);

    const body = { action: 'remove_tags', tags: ['probe', 'never-there'] };
    assert.deepEqual(await preview(fleet, body), {
      total: deviceCount,
      eligible: deviceCount - 2,
      online: 0,
      offline: deviceCount - 2,
      skipped: { inactive: 2 },
    });
    assert.equal((await preview(carrying, body)).total, deviceCount - 1);
    const { id, final } = await run(fleet, body);

    assert.equal(final.status, 'completed');
    assert.deepEqual(
      { total: final.counts.total, success: final.counts.success, skipped: final.counts.skipped },
      { total: deviceCount, success: deviceCount - 2, skipped: 2 },
    );
    assert.deepEqual(await resultRows(id), { rows: deviceCount, devices: deviceCount }, 'one result per device');
    const tags = await stack.database.query<{ tags: string[]; devices: number }>(
      `select tags, count(*)::int as devices from devices where device_type_id = $1 group by tags order by tags`,
      [typeId],
    );
    const third = ids.filter((_, index) => index % 3 === 0).length;
    assert.deepEqual(tags, [
      { tags: ['keep-a', 'keep-b'], devices: deviceCount - third - 1 },
      { tags: ['keep-a', 'keep-b', 'probe'], devices: 1 },
      { tags: ['keep-b'], devices: third },
    ]);
    assert.equal((await preview(carrying, body)).total, 1, 'only the inactive device still carries it');
    const skipped = await operator.responses(id, 'skipped');
    assert.deepEqual(
      skipped.resources.map((entry) => `${entry.device_id} ${entry.reason}`).sort(),
      [`${ids[7]} inactive`, `${ids[8]} inactive`].sort(),
    );
  });

  it('when an operator runs remove_tags with the CLI, then preview counts the fleet and start --watch follows it to completed', async () => {
    const cli = await openCliSession(stack.app);
    try {
      const user = demo.credentials.users.find((candidate) => candidate.role === 'operator')!;
      assert.equal((await cli.run('login', '--email', user.email, '--password', user.password)).code, 0);
      const gateways = demo.fleetId('Gateways');
      await run(gateways, { action: 'add_tags', tags: ['cli-a', 'cli-b', 'cli-c'] });
      const args = ['Gateways', '--action', 'remove_tags', '--tags', 'cli-a,cli-b'];
      const previewed = await cli.run('preview', ...args, '--json');
      assert.equal(previewed.code, 0, previewed.stderr);
      const counted = JSON.parse(previewed.stdout) as FleetActionPreview;
      const started = await cli.run('start', ...args, '--watch', '--json');
      assert.equal(started.code, 0, `${started.stdout}\n${started.stderr}`);
      const left = await stack.database.query<{ tags: string[]; devices: number }>(
        `select array(select tag from unnest(tags) as tag where tag like 'cli-%') as tags, count(*)::int as devices
         from devices where device_type_id in (select jsonb_array_elements_text(criteria->'device_type_ids') from fleets where id = $1)
         group by 1 order by 1`,
        [gateways],
      );
      assert.deepEqual(left, [
        { tags: [], devices: counted.skipped.inactive },
        { tags: ['cli-c'], devices: counted.eligible },
      ]);
      const wrongFlag = await cli.run('start', 'Gateways', '--action', 'remove_tags', '--metadata', 'a=b');
      assert.equal(wrongFlag.code, 2);
      assert.match(wrongFlag.stderr, /--metadata: not for remove_tags, which takes --tags/);
    } finally {
      await cli.close();
    }
  });
});
