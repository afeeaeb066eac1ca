import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { fleetActionExamples, placeholderIds } from '../../api/openapi/fleet-action-examples';
import type { FleetActionPreview } from '../../contracts/fleet-action-preview.schema';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';

// The dry run on the demo company, whose make-up is known: 400 gateways (every command), 500
// sensors (reboot, heartbeat), 100 cloud meters (no reboot), every twentieth device inactive.
// Expected numbers are counted here with SQL, apart from the eligibility code under test.
describe('fleet action preview (dry run)', () => {
  let fixture: ApiFixture;
  let demo: DemoSession;
  let foreign: TestCompany;
  let dataDir: string;
  const preview = (fleetId: string, body: unknown, token = demo.tokens.operator) =>
    request(fixture.app)
      .post(`/api/v1/platform/fleets/${fleetId}/actions/preview`)
      .set('Authorization', token)
      .send(body as object);
  const count = async (where: string) =>
    (
      await fixture.database.query<{ count: number }>(
        `select count(*)::int as count from devices d join device_types t on t.id = d.device_type_id
         where d.company_id = $1 and ${where}`,
        [demo.credentials.company_id],
      )
    )[0]!.count;
  const writesSnapshot = async () =>
    JSON.stringify(
      await fixture.database.query(
        `select (select count(*)::int from bulk_responses) as bulk_responses,
                (select count(*)::int from bulk_response_devices) as device_results,
                (select max(updated_at)::text from devices) as devices_updated`,
      ),
    );

  before(async () => {
    fixture = await openApiFixture();
    dataDir = mkdtempSync(path.join(tmpdir(), 'fleet-preview-'));
    demo = await openDemoSession(fixture.app, fixture.database, dataDir);
    foreign = await fixture.createCompanyWithUsers('Foreign');
    // Gateways report now: they are online, everything else has never reported.
    await fixture.database.query(`update devices set last_seen_at = now() where unique_id like 'GW-%'`);
  });
  after(async () => {
    await fixture.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when a gateway command is previewed on every device, then totals and skip reasons match the fleet, and nothing is written', async () => {
    const before = await writesSnapshot();
    const response = await preview(demo.fleetId('All devices'), { action: 'issue_command', gateway_command: 'reboot' });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const body = response.body as FleetActionPreview;
    const inactive = await count('not d.active');
    const withoutReboot = await count(
      `d.active and coalesce((t.capabilities->'actions'->>'reboot')::boolean, false) = false`,
    );
    const onlineEligible = await count(`d.active and t.type = 'gateway'`);
    assert.deepEqual(body, {
      total: 1000,
      eligible: 1000 - inactive - withoutReboot,
      online: onlineEligible,
      offline: 1000 - inactive - withoutReboot - onlineEligible,
      skipped: { inactive, gateway_command_not_supported: withoutReboot },
    });
    assert.equal(inactive, 50);
    assert.equal(await writesSnapshot(), before);
  });

  it('when skip_offline and a canary percent are given, then offline devices are skipped and the canary is a share of the online ones', async () => {
    const response = await preview(demo.fleetId('All devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: { skip_offline: true, canary: { percent: 10 } },
    }).expect(200);
    const body = response.body as FleetActionPreview;
    const onlineEligible = await count(`d.active and t.type = 'gateway'`);
    assert.equal(body.eligible, onlineEligible);
    assert.equal(body.offline, 0);
    assert.equal(body.skipped.offline, await count(`d.active and t.type = 'sensor'`));
    assert.equal(body.canary_devices, Math.ceil(onlineEligible / 10));
  });

  it('when a registry action is previewed, then only inactive devices are skipped, no canary is given and nothing is written', async () => {
    const before = await writesSnapshot();
    const lobby = await count(`'lobby' = any(d.tags)`);
    const inactiveLobby = await count(`'lobby' = any(d.tags) and not d.active`);
    // remove_tags of the fleet's own tag: the dry run leaves the devices in the fleet.
    for (const body of [
      { action: 'add_tags', tags: ['spring'] },
      { action: 'remove_tags', tags: ['lobby', 'never-seen'] },
    ]) {
      const response = await preview(demo.fleetId('Lobby devices'), body).expect(200);
      const answer = response.body as FleetActionPreview;
      assert.equal(answer.total, lobby, body.action);
      assert.deepEqual(answer.skipped, { inactive: inactiveLobby }, body.action);
      assert.equal(answer.eligible, lobby - inactiveLobby, body.action);
      assert.equal(answer.canary_devices, undefined, body.action);
    }
    assert.equal(await writesSnapshot(), before);
  });

  it('when maintenance windows are given, then the preview says whether one is open and until when', async () => {
    const inOneHour = new Date(Date.now() + 3600_000);
    const hhmm = (date: Date) => date.toISOString().slice(11, 16);
    const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    const later = {
      days: everyDay,
      start: hhmm(inOneHour),
      end: hhmm(new Date(inOneHour.getTime() + 600_000)),
      timezone: 'UTC',
    };
    const closed = await preview(demo.fleetId('Lobby devices'), {
      action: 'add_tags',
      tags: ['spring'],
      rollout: { windows: [later] },
    }).expect(200);
    const opensAt = Date.parse((closed.body as FleetActionPreview).window?.opens_at ?? '');
    assert.equal((closed.body as FleetActionPreview).window?.open, false);
    assert.ok(Math.abs(opensAt - inOneHour.getTime()) < 60_000, 'the next window opens in an hour');
    const now = { days: everyDay, start: hhmm(new Date(Date.now() - 600_000)), end: hhmm(inOneHour), timezone: 'UTC' };
    const open = await preview(demo.fleetId('Lobby devices'), {
      action: 'add_tags',
      tags: ['spring'],
      rollout: { windows: [now] },
    }).expect(200);
    assert.equal((open.body as FleetActionPreview).window?.open, true);
  });

  it('when the body is invalid, then it answers 400 naming the field, as the start route does', async () => {
    const response = await preview(demo.fleetId('All devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      command_id: '0123456789abcdef01234567',
    });
    assert.equal(response.status, 400);
    assert.match(JSON.stringify(response.body), /command_id/);
  });

  it('when the command or the fleet is not in the company, then it answers 404', async () => {
    const missingCommand = await preview(demo.fleetId('All devices'), {
      action: 'issue_command',
      command_id: '0123456789abcdef01234567',
    });
    assert.equal(missingCommand.status, 404);
    const foreignFleet = await preview(
      demo.fleetId('All devices'),
      { action: 'add_tags', tags: ['x'] },
      foreign.tokens.operator,
    );
    assert.equal(foreignFleet.status, 404);
  });

  it('when every OpenAPI example body is previewed, then it is accepted as sent, or once its placeholder ids are replaced', async () => {
    const idOf = async (table: string, name: string) =>
      (await fixture.database.query<{ id: string }>(`select id from ${table} where name = $1`, [name]))[0]!.id;
    const demoIds: Record<string, string> = {
      [placeholderIds.command]: await idOf('commands', 'Apply configuration'),
      [placeholderIds.configuration]: await idOf('configurations', 'Gateway defaults'),
      [placeholderIds.setting]: await idOf('settings', 'Network'),
      [placeholderIds.actionTemplate]: await idOf('action_templates', 'Reboot with a 1 % canary'),
    };
    for (const [name, example] of Object.entries(fleetActionExamples)) {
      const sent = JSON.stringify(example.value);
      const withPlaceholders = /f{22}0\d/.test(sent);
      const asSent = await preview(demo.fleetId('Gateways'), example.value);
      assert.equal(asSent.status, withPlaceholders ? 404 : 200, `${name} as sent: ${JSON.stringify(asSent.body)}`);
      const replaced = JSON.parse(sent.replace(/f{22}0\d/g, (id) => demoIds[id] ?? id)) as unknown;
      const response = await preview(demo.fleetId('Gateways'), replaced);
      assert.equal(response.status, 200, `${name}: ${JSON.stringify(response.body)}`);
    }
  });

  it('when a viewer asks for a preview, then it answers 403', async () => {
    const response = await preview(
      demo.fleetId('All devices'),
      { action: 'add_tags', tags: ['x'] },
      demo.tokens.viewer,
    );
    assert.equal(response.status, 403);
  });
});
