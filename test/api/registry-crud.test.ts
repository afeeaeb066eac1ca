import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { bodyOf, fieldsNamed } from './response-bodies';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';
import { populateCompany, type CompanyObjects } from './company-objects';
import { resources } from './route-catalogue';

interface Item {
  _id: string;
  [field: string]: unknown;
}

interface Listed {
  total: number;
  resources: Item[];
}

interface CreatedDevice extends Item {
  credentials?: { username: string; password: string };
}

interface Setting extends Item {
  latest_version: number;
  versions: { version: number; values: object }[];
}

describe('registry REST (EdgeIQ dialect)', () => {
  let fixture: ApiFixture;
  let company: TestCompany;
  let objects: CompanyObjects;
  const platform = '/api/v1/platform';

  before(async () => {
    fixture = await openApiFixture();
    company = await fixture.createCompanyWithUsers('Acme');
    objects = await populateCompany(fixture.database, company.companyId, company.userIds.viewer);
  });
  after(() => fixture.close());

  const as = (token: string) => ({ Authorization: token });

  for (const resource of resources) {
    test(`when ${resource.path} are created, read, updated, listed and deleted, then each step shows the change`, async () => {
      const admin = as(company.tokens.admin);
      const created = await request(fixture.app)
        .post(`${platform}/${resource.path}`)
        .set(admin)
        .send(resource.create(objects));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = bodyOf<Item>(created)._id;
      assert.match(id, /^[0-9a-f]{24}$/);
      const read = await request(fixture.app).get(`${platform}/${resource.path}/${id}`).set(admin);
      assert.equal(read.status, 200);
      for (const [key, value] of Object.entries(resource.create(objects)).filter(([key]) => key !== 'password')) {
        assert.deepEqual(bodyOf<Item>(read)[key], key === 'email' ? String(value).toLowerCase() : value, key);
      }
      const updated = await request(fixture.app)
        .patch(`${platform}/${resource.path}/${id}`)
        .set(admin)
        .send(resource.update(objects));
      assert.equal(updated.status, 200);
      const listed = await request(fixture.app)
        .get(`${platform}/${resource.path}?page_meta=true&per_page=1000`)
        .set(admin);
      assert.ok(bodyOf<Listed>(listed).resources.some((item) => item._id === id));
      assert.equal(bodyOf<Listed>(listed).total, bodyOf<Listed>(listed).resources.length);
      assert.equal((await request(fixture.app).delete(`${platform}/${resource.path}/${id}`).set(admin)).status, 200);
      assert.equal((await request(fixture.app).get(`${platform}/${resource.path}/${id}`).set(admin)).status, 404);
    });
  }

  test('when a list is paged, then per_page and page select the slice and page_meta gives the total', async () => {
    for (let index = 0; index < 5; index += 1) {
      await request(fixture.app)
        .post(`${platform}/fleets`)
        .set(as(company.tokens.admin))
        .send({ name: `Fleet ${index}` });
    }
    const all = await request(fixture.app).get(`${platform}/fleets`).set(as(company.tokens.viewer));
    assert.ok(Array.isArray(all.body));
    const allFleets = bodyOf<Item[]>(all);
    const page = await request(fixture.app)
      .get(`${platform}/fleets?page=2&per_page=2&page_meta=true`)
      .set(as(company.tokens.viewer));
    assert.equal(bodyOf<Listed>(page).total, allFleets.length);
    assert.deepEqual(bodyOf<Listed>(page).resources, allFleets.slice(2, 4));
  });

  test('when a fleet is previewed, then it lists the devices its criteria select now', async () => {
    const fleet = await request(fixture.app)
      .post(`${platform}/fleets`)
      .set(as(company.tokens.admin))
      .send({ name: 'Lobby', criteria: { tags_any: ['lobby'] } });
    const preview = await request(fixture.app)
      .get(`${platform}/fleets/${bodyOf<Item>(fleet)._id}/devices?page_meta=true`)
      .set(as(company.tokens.viewer));
    assert.equal(bodyOf<Listed>(preview).total, 1);
    assert.equal(bodyOf<Listed>(preview).resources[0]?._id, objects.deviceId);
  });

  test('when a device reports, then heartbeat_status follows last_seen_at against the period', async () => {
    const statusAfter = async (secondsAgo: number | null) => {
      const lastSeen = secondsAgo === null ? null : new Date(Date.now() - secondsAgo * 1000);
      await fixture.database.query('update devices set last_seen_at = $2, heartbeat_period = 100 where id = $1', [
        objects.deviceId,
        lastSeen,
      ]);
      const response = await request(fixture.app)
        .get(`${platform}/devices/${objects.deviceId}`)
        .set(as(company.tokens.viewer));
      return bodyOf<Item>(response).heartbeat_status;
    };
    assert.deepEqual(
      [await statusAfter(null), await statusAfter(10), await statusAfter(200), await statusAfter(400)],
      ['never_reported', 'online', 'idle', 'offline'],
    );
  });

  test('when a device is created, then its broker credentials are shown once', async () => {
    const created = await request(fixture.app)
      .post(`${platform}/devices`)
      .set(as(company.tokens.admin))
      .send({ unique_id: 'CRED-1', device_type_id: objects.deviceTypeId });
    assert.equal(bodyOf<CreatedDevice>(created).credentials?.username, bodyOf<CreatedDevice>(created)._id);
    assert.ok((bodyOf<CreatedDevice>(created).credentials?.password.length ?? 0) >= 24);
    const read = await request(fixture.app)
      .get(`${platform}/devices/${bodyOf<CreatedDevice>(created)._id}`)
      .set(as(company.tokens.admin));
    assert.equal(bodyOf<CreatedDevice>(read).credentials, undefined);
  });

  test('when a unique_id or email is taken, then it answers 409 naming the field', async () => {
    const device = await request(fixture.app)
      .post(`${platform}/devices`)
      .set(as(company.tokens.admin))
      .send({ unique_id: 'CRED-1', device_type_id: objects.deviceTypeId });
    assert.equal(device.status, 409);
    assert.equal(fieldsNamed(device)[0], 'unique_id');
    const user = await request(fixture.app)
      .post(`${platform}/users`)
      .set(as(company.tokens.admin))
      .send({ email: 'viewer@acme.example.com', password: 'long enough password', role: 'viewer' });
    assert.equal(user.status, 409);
    assert.equal(fieldsNamed(user)[0], 'email');
  });

  test('when a device type still has devices, then deleting it answers 409', async () => {
    const response = await request(fixture.app)
      .delete(`${platform}/device_types/${objects.deviceTypeId}`)
      .set(as(company.tokens.admin));
    assert.equal(response.status, 409);
  });

  test('when a setting gets new values, then a version is appended and older ones are kept', async () => {
    const response = await request(fixture.app)
      .put(`${platform}/settings/${objects.settingId}`)
      .set(as(company.tokens.admin))
      .send({ values: { mtu: 9000 } });
    assert.equal(bodyOf<Setting>(response).latest_version, 2);
    assert.deepEqual(
      bodyOf<Setting>(response).versions.map((version) => [version.version, version.values]),
      [
        [1, { mtu: 1500 }],
        [2, { mtu: 9000 }],
      ],
    );
  });

  test('when an admin would demote or delete themselves, then it answers 409', async () => {
    const demote = await request(fixture.app)
      .patch(`${platform}/users/${company.userIds.admin}`)
      .set(as(company.tokens.admin))
      .send({ role: 'viewer' });
    assert.equal(demote.status, 409);
    assert.equal(
      (await request(fixture.app).delete(`${platform}/users/${company.userIds.admin}`).set(as(company.tokens.admin)))
        .status,
      409,
    );
  });
});
