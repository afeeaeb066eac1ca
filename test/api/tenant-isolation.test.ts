import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { bodyOf, errorBody } from './response-bodies';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';
import { populateCompany, registrySnapshot, type CompanyObjects } from './company-objects';
import { describeRoute, routeCatalogue } from './route-catalogue';
import { callRoute } from './route-request';

// Company A's admin calls every route that names an object with company B's ids (bodies keep
// A's own references, so only the path id is foreign): each answers 404 and nothing changes.
describe('tenant isolation', () => {
  let fixture: ApiFixture;
  let companyA: TestCompany;
  let companyB: TestCompany;
  let objectsA: CompanyObjects;
  let objectsB: CompanyObjects;

  before(async () => {
    fixture = await openApiFixture();
    companyA = await fixture.createCompanyWithUsers('Alpha');
    companyB = await fixture.createCompanyWithUsers('Beta');
    objectsA = await populateCompany(fixture.database, companyA.companyId, companyA.userIds.viewer);
    objectsB = await populateCompany(fixture.database, companyB.companyId, companyB.userIds.viewer);
  });
  after(() => fixture.close());

  for (const route of routeCatalogue.filter((candidate) => candidate.takesId)) {
    test(`when A calls ${describeRoute(route)} with B's id, then it answers 404 and changes nothing`, async () => {
      const before = await registrySnapshot(fixture.database);
      const foreignRoute = {
        ...route,
        path: () => route.path(objectsB),
        body: route.body && (() => route.body!(objectsA)),
      };
      const response = await callRoute(fixture.app, foreignRoute, objectsA, companyA.tokens.admin);
      assert.equal(response.status, 404, JSON.stringify(response.body));
      assert.match(errorBody(response).error, /not found/);
      assert.equal(await registrySnapshot(fixture.database), before);
    });
  }

  // The audit trail is left out here: A's own refused attempts above are A's entries, and they name
  // the ids A sent (B's). What must never show is an entry of B's; checked below.
  const listRoutes = routeCatalogue.filter(
    (candidate) => candidate.method === 'get' && !candidate.takesId && !candidate.path(objectsA).endsWith('/audit'),
  );
  for (const route of listRoutes) {
    test(`when A lists ${describeRoute(route)}, then none of B's objects appear`, async () => {
      const response = await callRoute(fixture.app, route, objectsA, companyA.tokens.admin);
      assert.equal(response.status, 200);
      const text = JSON.stringify(bodyOf<unknown>(response));
      for (const id of Object.values(objectsB) as string[]) assert.ok(!text.includes(id), `${id} leaked`);
    });
  }

  test("when B's users act, then A's audit trail holds none of B's entries", async () => {
    await request(fixture.app)
      .post(`/api/v1/platform/devices/${objectsB.deviceId}/credentials`)
      .set('Authorization', companyB.tokens.admin)
      .expect(200);
    const trail = bodyOf<{ actor: { user_id: string } }[]>(
      await request(fixture.app)
        .get('/api/v1/platform/audit?per_page=1000')
        .set('Authorization', companyA.tokens.admin),
    );
    assert.ok(trail.length > 0);
    const usersOfA = new Set(Object.values(companyA.userIds));
    assert.deepEqual(
      trail.filter((entry) => !usersOfA.has(entry.actor.user_id)),
      [],
    );
  });

  test("when A paginates devices, then only A's devices are counted", async () => {
    const response = await request(fixture.app)
      .post('/api/public/v1/devices/paginate')
      .set('Authorization', `Bearer ${companyA.tokens.viewer}`)
      .send({});
    assert.equal(response.status, 200);
    const page = bodyOf<{ count: number; rows: { _id: string }[] }>(response);
    assert.equal(page.count, 1);
    assert.equal(page.rows[0]?._id, objectsA.deviceId);
  });

  const foreignReferences: [string, string, (b: CompanyObjects) => unknown][] = [
    ['POST', '/api/v1/platform/devices', (b) => ({ unique_id: 'X-1', device_type_id: b.deviceTypeId })],
    ['PATCH', '/api/v1/platform/devices/:own', (b) => ({ device_type_id: b.deviceTypeId })],
    ['POST', '/api/v1/platform/commands', (b) => ({ name: 'C', device_type_ids: [b.deviceTypeId] })],
    ['PUT', '/api/v1/platform/commands/:own', (b) => ({ device_type_ids: [b.deviceTypeId] })],
    ['POST', '/api/v1/platform/configurations', (b) => ({ name: 'C', device_type_ids: [b.deviceTypeId] })],
    ['PATCH', '/api/v1/platform/configurations/:own', (b) => ({ device_type_ids: [b.deviceTypeId] })],
    ['POST', '/api/v1/platform/settings', (b) => ({ configuration_id: b.configurationId, name: 'S' })],
  ];
  for (const [method, path, body] of foreignReferences) {
    test(`when A's body for ${method} ${path} refers to B's object, then it answers 404 naming the field and changes nothing`, async () => {
      const before = await registrySnapshot(fixture.database);
      const ownId = path.includes('commands')
        ? objectsA.commandId
        : path.includes('configurations')
          ? objectsA.configurationId
          : objectsA.deviceId;
      const call = request(fixture.app)[method.toLowerCase() as 'post' | 'put' | 'patch'](path.replace(':own', ownId));
      const response = await call.set('Authorization', companyA.tokens.admin).send(body(objectsB) as object);
      assert.equal(response.status, 404, JSON.stringify(response.body));
      assert.ok(Array.isArray(errorBody(response).details) && errorBody(response).details.length > 0);
      assert.equal(await registrySnapshot(fixture.database), before);
    });
  }

  test("when A imports a row with B's device type, then the row fails and nothing is written", async () => {
    const before = await registrySnapshot(fixture.database);
    const response = await request(fixture.app)
      .post('/api/public/v1/devices/import')
      .set('Authorization', companyA.tokens.admin)
      .send([{ unique_id: 'X-2', device_type_id: objectsB.deviceTypeId }]);
    assert.equal(response.status, 207);
    assert.deepEqual((response.body as { errors: unknown[] }).errors[0], {
      row: 1,
      field: 'device_type_id',
      message: `device type ${objectsB.deviceTypeId} not found`,
    });
    assert.equal(await registrySnapshot(fixture.database), before);
  });

  test("when A imports a unique_id that B also uses, then A gets its own device and B's is untouched", async () => {
    const deviceB = await fixture.database.query<{ unique_id: string; updated_at: Date }>(
      'select unique_id, updated_at from devices where id = $1',
      [objectsB.deviceId],
    );
    const response = await request(fixture.app)
      .post('/api/public/v1/devices/import')
      .set('Authorization', companyA.tokens.admin)
      .send([{ unique_id: deviceB[0]!.unique_id, name: 'mine', device_type_id: objectsA.deviceTypeId }]);
    assert.equal(response.status, 200);
    assert.equal(bodyOf<{ created: number }>(response).created, 1);
    const after = await fixture.database.query('select unique_id, updated_at from devices where id = $1', [
      objectsB.deviceId,
    ]);
    assert.deepEqual(after, deviceB);
  });
});
