import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { ComplianceDevice, SettingCompliance } from '../../contracts/compliance.schema';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';
import { bodyOf, fieldsNamed } from './response-bodies';

// On the demo data: "Gateway defaults" applies to the 400 gateways (versions 1 and 2 of its
// "Network" setting); the 600 sensors and cloud meters cannot receive it.
describe('setting compliance', () => {
  let fixture: ApiFixture;
  let demo: DemoSession;
  let other: TestCompany;
  let dataDir: string;
  let base: string;
  const ids: Record<string, string> = {};

  before(async () => {
    fixture = await openApiFixture();
    dataDir = mkdtempSync(path.join(tmpdir(), 'compliance-'));
    demo = await openDemoSession(fixture.app, fixture.database, dataDir);
    other = await fixture.createCompanyWithUsers('Other');
    const idOf = async (table: string, name: string) =>
      (await fixture.database.query<{ id: string }>(`select id from ${table} where name = $1`, [name]))[0]!.id;
    ids.configuration = await idOf('configurations', 'Gateway defaults');
    ids.network = await idOf('settings', 'Network');
    ids.logging = await idOf('settings', 'Logging');
    base = `/api/v1/platform/configurations/${ids.configuration}/settings/${ids.network}/compliance`;
    // 30 gateways run version 2, 20 run version 1; the lobby holds every fourth device.
    for (const [version, range] of [
      [2, [1, 30]],
      [1, [31, 50]],
    ] as const) {
      await fixture.database.query(
        `update devices set applied_settings = jsonb_build_object($1::text, $2::int)
          where unique_id between $3 and $4 and unique_id like 'GW-%'`,
        [ids.network, version, `GW-${String(range[0]).padStart(4, '0')}`, `GW-${String(range[1]).padStart(4, '0')}`],
      );
    }
  });
  after(async () => {
    await fixture.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const read = (url: string, token = demo.tokens.viewer) => request(fixture.app).get(url).set('Authorization', token);

  test('when a viewer asks for the whole company, then the gateways are counted per version and the rest left out', async () => {
    const response = await read(base);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(bodyOf<SettingCompliance>(response), {
      configuration_id: ids.configuration,
      setting_id: ids.network,
      fleet_id: null,
      latest_version: 2,
      devices: 400,
      versions: [
        { version: 2, devices: 30 },
        { version: 1, devices: 20 },
        { version: 0, devices: 350 },
      ],
      not_latest: 370,
      not_applicable: 600,
    });
  });

  test('when a fleet is named, then only its devices count', async () => {
    const lobby = demo.fleetId('Lobby devices');
    const compliance = bodyOf<SettingCompliance>(await read(`${base}?fleet_id=${lobby}`));
    // Gateways 4, 8, ... 400 are in the lobby: 7 of them at version 2, 5 at version 1.
    assert.deepEqual(
      [compliance.fleet_id, compliance.devices, compliance.versions, compliance.not_latest, compliance.not_applicable],
      [
        lobby,
        100,
        [
          { version: 2, devices: 7 },
          { version: 1, devices: 5 },
          { version: 0, devices: 88 },
        ],
        93,
        150,
      ],
    );
  });

  test('when every device is paged with its total, then the total is what the summary counts', async () => {
    const summary = bodyOf<{ devices: number }>(await read(base));
    const page = bodyOf<{ total: number; resources: ComplianceDevice[] }>(
      await read(`${base}/devices?per_page=3&page_meta=true`),
    );
    assert.ok(summary.devices > 3, `the scope has more devices than a page: ${summary.devices}`);
    assert.equal(page.total, summary.devices);
    assert.equal(page.resources.length, 3);
  });

  test('when the devices behind the latest version are paged, then the pages hold them by serial with their version', async () => {
    const first = await read(`${base}/devices?not_latest=true&per_page=5&page_meta=true`);
    const page = bodyOf<{ total: number; resources: ComplianceDevice[] }>(first);
    assert.equal(page.total, 370);
    assert.deepEqual(
      page.resources.map((device) => [device.unique_id, device.version]),
      [
        ['GW-0031', 1],
        ['GW-0032', 1],
        ['GW-0033', 1],
        ['GW-0034', 1],
        ['GW-0035', 1],
      ],
    );
    const atOne = bodyOf<ComplianceDevice[]>(await read(`${base}/devices?version=1&per_page=1000`));
    assert.equal(atOne.length, 20);
    const none = bodyOf<ComplianceDevice[]>(await read(`${base}/devices?version=0&page=4&per_page=100`));
    assert.deepEqual([none.length, none[0]?.unique_id], [50, 'GW-0351']);
  });

  test('when a setting of another configuration, another company or an unknown fleet is named, then it answers 404', async () => {
    const otherFleet = (
      await request(fixture.app)
        .post('/api/v1/platform/fleets')
        .set('Authorization', other.tokens.admin)
        .send({ name: 'All', criteria: {} })
    ).body as { _id: string };
    const notFound = [
      `/api/v1/platform/configurations/${ids.configuration}/settings/${ids.configuration}/compliance`,
      `${base}?fleet_id=${otherFleet._id}`,
      `${base}/devices?fleet_id=ffffffffffffffffffffffff`,
    ];
    for (const url of notFound) assert.equal((await read(url)).status, 404, url);
    assert.equal((await read(base, other.tokens.admin)).status, 404);
    const logging = `/api/v1/platform/configurations/${ids.configuration}/settings/${ids.logging}/compliance`;
    assert.equal(bodyOf<SettingCompliance>(await read(logging)).not_latest, 400);
  });

  test('when a filter is wrong, then it answers 400 naming it', async () => {
    const cases: [string, string][] = [
      [`${base}?fleet_id=x`, 'query.fleet_id'],
      [`${base}?fleetid=${demo.fleetId('Gateways')}`, 'query'],
      [`${base}/devices?version=-1`, 'query.version'],
      [`${base}/devices?not_latest=yes`, 'query.not_latest'],
      [`/api/v1/platform/configurations/nope/settings/${ids.network}/compliance`, 'id'],
    ];
    for (const [url, field] of cases) {
      const response = await read(url);
      assert.equal(response.status, 400, url);
      assert.deepEqual(fieldsNamed(response), [field], url);
    }
  });
});
