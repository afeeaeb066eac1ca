import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { errorBody, fieldsNamed } from './response-bodies';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';
import { populateCompany, registrySnapshot, type CompanyObjects } from './company-objects';
import { describeRoute, engineRoutes, routeCatalogue, type RouteCase } from './route-catalogue';
import { callRoute } from './route-request';

function wrongTypeFor(value: unknown): unknown {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return 'abc';
  if (typeof value === 'boolean') return 'yes';
  return 'x';
}

interface Detail {
  field?: string;
  message: string;
}

const objectBodyRoutes = routeCatalogue.filter(
  (route) => route.body && !route.path({} as CompanyObjects).endsWith('/import'),
);
const bodyRoutes = routeCatalogue.filter((route) => route.body);

// Bad requests answer 4xx with the offending field named, never 500, and write nothing.
describe('bad input', () => {
  let fixture: ApiFixture;
  let company: TestCompany;
  let objects: CompanyObjects;
  let snapshot: string;

  before(async () => {
    fixture = await openApiFixture();
    company = await fixture.createCompanyWithUsers('Acme');
    objects = await populateCompany(fixture.database, company.companyId, company.userIds.viewer);
    snapshot = await registrySnapshot(fixture.database);
  });
  after(() => fixture.close());

  const expectRefused = async (route: RouteCase, body: unknown, field: string, status = 400) => {
    const response = await callRoute(fixture.app, { ...route, body: () => body }, objects, company.tokens.admin);
    assert.equal(response.status, status, JSON.stringify(response.body));
    assert.equal(typeof errorBody(response).error, 'string');
    if (status === 400) {
      const fields = (errorBody(response).details as Detail[]).map((detail) => detail.field ?? '');
      assert.ok(
        fields.some((named) => named.startsWith(field)),
        `expected ${field} in ${fields.join(', ')}`,
      );
    }
    assert.equal(await registrySnapshot(fixture.database), snapshot);
  };

  for (const route of objectBodyRoutes) {
    const valid = () => route.body!(objects) as Record<string, unknown>;
    test(`when ${describeRoute(route)} gets a wrong type in each field, then it answers 400 naming that field`, async () => {
      for (const [key, value] of Object.entries(valid()))
        await expectRefused(route, { ...valid(), [key]: wrongTypeFor(value) }, key);
    });
    test(`when ${describeRoute(route)} gets an unknown field, then it answers 400 naming it`, async () => {
      const response = await callRoute(
        fixture.app,
        { ...route, body: () => ({ ...valid(), surprise: 1 }) },
        objects,
        company.tokens.admin,
      );
      assert.equal(response.status, 400);
      assert.ok((errorBody(response).details as Detail[]).some((detail) => detail.message.includes('surprise')));
      assert.equal(await registrySnapshot(fixture.database), snapshot);
    });
    test(`when ${describeRoute(route)} gets an array instead of an object, then it answers 400`, async () => {
      await expectRefused(route, [valid()], '(body)');
    });
  }

  for (const route of objectBodyRoutes.filter(
    (candidate) => candidate.method === 'post' && !candidate.path(objects).includes('paginate'),
  )) {
    test(`when ${describeRoute(route)} gets an empty body, then it answers 400 naming the missing fields`, async () => {
      const response = await callRoute(fixture.app, { ...route, body: () => ({}) }, objects, company.tokens.admin);
      assert.equal(response.status, 400);
      const fields = (errorBody(response).details as Detail[]).map((detail) => detail.field);
      assert.ok(
        fields.length > 0 &&
          fields.every((field) => field !== undefined && field in (route.body!(objects) as Record<string, unknown>)),
        fields.join(', '),
      );
      assert.equal(await registrySnapshot(fixture.database), snapshot);
    });
  }

  for (const route of bodyRoutes) {
    test(`when ${describeRoute(route)} gets a body over 1 MB, then it answers 413`, async () => {
      await expectRefused(route, { name: 'x'.repeat(1_100_000) }, '', 413);
    });
    test(`when ${describeRoute(route)} gets malformed JSON, then it answers 400`, async () => {
      const call = request(fixture.app)[route.method](route.path(objects));
      const response = await call.set('Authorization', company.tokens.admin).type('json').send('{"name": ');
      assert.equal(response.status, 400);
      assert.equal(errorBody(response).error, 'Malformed JSON body');
    });
  }

  for (const route of routeCatalogue.filter((candidate) => candidate.takesId)) {
    test(`when ${describeRoute(route)} gets a malformed id, then it answers 400 naming id`, async () => {
      const response = await callRoute(
        fixture.app,
        { ...route, path: (own) => route.path(own).replace(/[0-9a-f]{24}/, 'not-an-id') },
        objects,
        company.tokens.admin,
      );
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(fieldsNamed(response)[0], 'id');
      assert.equal(await registrySnapshot(fixture.database), snapshot);
    });
  }

  test('when a list gets per_page above 1000 or a page of 0, then it answers 400 naming the query field', async () => {
    for (const query of ['per_page=5000', 'page=0', 'per_page=abc']) {
      const response = await request(fixture.app)
        .get(`/api/v1/platform/devices?${query}`)
        .set('Authorization', company.tokens.viewer);
      assert.equal(response.status, 400);
      assert.match(fieldsNamed(response)[0] ?? '', /^query\./);
    }
  });

  test('when a device gets a capability or heartbeat value outside the lists, then it answers 400 naming the field', async () => {
    const deviceTypes = routeCatalogue.find(
      (route) => route.method === 'post' && route.path(objects).endsWith('/device_types'),
    )!;
    await expectRefused(
      deviceTypes,
      { name: 'X', type: 'gateway', capabilities: { actions: { self_destruct: true } } },
      'capabilities.actions',
    );
    await expectRefused(deviceTypes, { name: 'X', type: 'toaster' }, 'type');
    const devices = routeCatalogue.find(
      (route) => route.method === 'post' && route.path(objects).endsWith('/devices'),
    )!;
    await expectRefused(
      devices,
      { unique_id: 'A', device_type_id: objects.deviceTypeId, heartbeat_values: ['mood'] },
      'heartbeat_values',
    );
    await expectRefused(
      devices,
      { unique_id: 'A', device_type_id: objects.deviceTypeId, heartbeat_period: 0 },
      'heartbeat_period',
    );
  });

  test('when remove_tags gets missing, empty or non-string tags, then start and preview answer 400 naming tags', async () => {
    const start = engineRoutes[0]!;
    const preview: RouteCase = { ...start, path: (own) => `${start.path(own)}/preview` };
    for (const route of [start, preview]) {
      await expectRefused(route, { action: 'remove_tags' }, 'tags');
      await expectRefused(route, { action: 'remove_tags', tags: [] }, 'tags');
      await expectRefused(route, { action: 'remove_tags', tags: 'lobby' }, 'tags');
      await expectRefused(route, { action: 'remove_tags', tags: ['lobby', 7] }, 'tags.1');
      await expectRefused(route, { action: 'remove_tags', tags: [' '] }, 'tags.0');
      await expectRefused(route, { action: 'remove_tags', tags: ['x'.repeat(129)] }, 'tags.0');
    }
  });

  test('when a rollout has a bad window, then it answers 400 naming the field', async () => {
    const actions = engineRoutes[0]!;
    const tags = (rollout: unknown) => ({ action: 'add_tags', tags: ['x'], rollout });
    const window = { days: ['mon'], start: '02:00', end: '04:00', timezone: 'Europe/Berlin' };
    await expectRefused(
      actions,
      tags({ windows: [{ ...window, timezone: 'Mars/Olympus' }] }),
      'rollout.windows.0.timezone',
    );
    await expectRefused(actions, tags({ windows: [{ ...window, start: '25:00' }] }), 'rollout.windows.0.start');
    await expectRefused(actions, tags({ windows: [{ ...window, days: ['someday'] }] }), 'rollout.windows.0.days');
  });
});
