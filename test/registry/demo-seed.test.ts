import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fleetActionRequestSchema } from '../../contracts/fleet-action.schema';
import { listActionTemplates } from '../../registry/action-templates.repository';
import type { Database } from '../../registry/database';
import { seedDemo, type DemoCredentials } from '../../registry/demo-seed';
import { demoTemplateNames } from '../../registry/demo-templates';
import { resolveFleetDeviceIds } from '../../registry/fleets.repository';
import { verifyPassword } from '../../registry/password-hashing';
import { findUserForLogin } from '../../registry/users.repository';
import { openTestDatabase } from '../support/test-database';

describe('demo seed', () => {
  let database: Database;
  let dataDir: string;
  let credentials: DemoCredentials;

  before(async () => {
    database = await openTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'demo-seed-'));
  });
  after(async () => {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const count = async (table: string) =>
    Number((await database.query<{ count: string }>(`select count(*) from ${table}`))[0]!.count);
  const readCredentials = async (credentialsPath: string) =>
    JSON.parse(await readFile(credentialsPath, 'utf8')) as DemoCredentials;

  test('when seeded for the first time, then the demo company, users, types, 1,000 devices and fleets exist', async () => {
    const result = await seedDemo(database, { dataDir });
    assert.equal(result.created, true);
    assert.equal(result.credentialsPath, path.join(dataDir, 'demo-credentials.json'));
    assert.equal((await stat(result.credentialsPath)).mode & 0o777, 0o600);
    credentials = await readCredentials(result.credentialsPath);
    assert.deepEqual(
      credentials.users.map((user) => user.role),
      ['admin', 'operator', 'viewer'],
    );
    assert.deepEqual(
      credentials.fleets.map((fleet) => fleet.name),
      ['All devices', 'Gateways', 'Lobby devices'],
    );
    assert.equal(await count('devices'), 1000);
    assert.equal(await count('device_types'), 3);
    const inactive = await database.query<{ count: string }>('select count(*) from devices where not active');
    assert.equal(Number(inactive[0]!.count), 50);
    const sizes = [];
    for (const fleet of credentials.fleets) {
      const criteria = (
        await database.query<{ criteria: object }>('select criteria from fleets where id = $1', [fleet._id])
      )[0]!.criteria;
      sizes.push((await resolveFleetDeviceIds(database, credentials.company_id, criteria)).length);
    }
    assert.deepEqual(sizes, [1000, 400, 250]);
  });

  test('when seeded, then the built-in action templates exist, each a valid action body naming demo objects', async () => {
    const templates = (await listActionTemplates(database, credentials.company_id, { page: 1, perPage: 10 })).rows;
    assert.deepEqual(templates.map((template) => template.name).sort(), Object.values(demoTemplateNames).sort());
    for (const template of templates)
      assert.ok(fleetActionRequestSchema.safeParse(template.body).success, template.name);
    const push = templates.find((template) => template.name === demoTemplateNames.pushConfiguration)!.body;
    const idOf = async (table: string, name: string) =>
      (await database.query<{ id: string }>(`select id from ${table} where name = $1`, [name]))[0]?.id;
    assert.deepEqual(
      [push.action, push.configuration_id, push.setting_id, push.command_id],
      [
        'send_configuration',
        await idOf('configurations', 'Gateway defaults'),
        await idOf('settings', 'Network'),
        await idOf('commands', 'Apply configuration'),
      ],
    );
  });

  test('when the demo passwords are used, then they match the stored hashes', async () => {
    for (const user of credentials.users) {
      const stored = await findUserForLogin(database, user.email);
      assert.equal(stored?.role, user.role);
      assert.equal(await verifyPassword(stored?.password_hash ?? '', user.password), true);
    }
  });

  test('when seeded again, then nothing new is created and the passwords stay the same', async () => {
    const before = {
      devices: await count('devices'),
      fleets: await count('fleets'),
      commands: await count('commands'),
      versions: await count('setting_versions'),
      templates: await count('action_templates'),
    };
    const result = await seedDemo(database, { dataDir });
    assert.equal(result.created, false);
    assert.deepEqual(await readCredentials(result.credentialsPath), credentials);
    assert.deepEqual(before, { devices: 1000, fleets: 3, commands: 3, versions: 4, templates: 3 });
    assert.deepEqual(
      {
        devices: await count('devices'),
        fleets: await count('fleets'),
        commands: await count('commands'),
        versions: await count('setting_versions'),
        templates: await count('action_templates'),
      },
      before,
    );
  });

  test('when a built-in template was deleted, then the next seed creates it again and leaves the others alone', async () => {
    await database.query('delete from action_templates where name = $1', [demoTemplateNames.canaryReboot]);
    await database.query("update action_templates set description = 'edited' where name = $1", [
      demoTemplateNames.debugLogging,
    ]);
    await seedDemo(database, { dataDir });
    const rows = await database.query<{ name: string; description: string }>(
      'select name, description from action_templates order by name',
    );
    assert.equal(rows.length, 3);
    assert.equal(rows.find((row) => row.name === demoTemplateNames.debugLogging)?.description, 'edited');
  });

  test('when the credentials file is lost, then a new seed gives the demo users new working passwords', async () => {
    await rm(path.join(dataDir, 'demo-credentials.json'));
    const result = await seedDemo(database, { dataDir });
    const renewed = await readCredentials(result.credentialsPath);
    assert.equal(renewed.company_id, credentials.company_id);
    assert.notEqual(renewed.users[0]!.password, credentials.users[0]!.password);
    const admin = await findUserForLogin(database, renewed.users[0]!.email);
    assert.equal(await verifyPassword(admin!.password_hash, renewed.users[0]!.password), true);
  });
});
