import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hasRole } from '../../api/middleware/require-role';
import { issueSessionToken } from '../../api/auth/token-issuer';
import { digestToken } from '../../api/auth/opaque-token';
import { insertToken } from '../../registry/auth-tokens.repository';
import { errorBody } from './response-bodies';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';
import { populateCompany, registrySnapshot, type CompanyObjects } from './company-objects';
import { describeRoute, engineRoutes, routeCatalogue, writeRoutes } from './route-catalogue';
import { callRoute } from './route-request';

describe('role and token matrix', () => {
  let fixture: ApiFixture;
  let company: TestCompany;
  let objects: CompanyObjects;
  let expiredToken: string;

  before(async () => {
    fixture = await openApiFixture();
    company = await fixture.createCompanyWithUsers('Acme');
    objects = await populateCompany(fixture.database, company.companyId, company.userIds.viewer);
    expiredToken = (await issueSessionToken(fixture.database, company.userIds.admin)).token + 'x';
    await insertToken(fixture.database, {
      tokenHash: digestToken(expiredToken),
      userId: company.userIds.admin,
      kind: 'session',
      expiresAt: new Date(Date.now() - 1000),
    });
  });
  after(() => fixture.close());

  const tokenCases: [string, () => string | undefined][] = [
    ['no token', () => undefined],
    ['an invalid token', () => 'not-a-real-token'],
    ['an expired token', () => expiredToken],
    ['an expired token with Bearer', () => `Bearer ${expiredToken}`],
  ];

  for (const route of [...routeCatalogue, ...engineRoutes]) {
    for (const [label, token] of tokenCases) {
      test(`when ${describeRoute(route)} is called with ${label}, then it answers 401 Not authorized and changes nothing`, async () => {
        const before = await registrySnapshot(fixture.database);
        const response = await callRoute(fixture.app, route, objects, token());
        assert.equal(response.status, 401);
        assert.match(errorBody(response).error, /Not authorized/);
        assert.equal(await registrySnapshot(fixture.database), before);
      });
    }
  }

  for (const route of writeRoutes) {
    for (const role of ['viewer', 'operator'] as const) {
      if (hasRole(role, route.minimumRole)) continue;
      test(`when a ${role} calls ${describeRoute(route)}, then it answers 403 and changes nothing`, async () => {
        const before = await registrySnapshot(fixture.database);
        const response = await callRoute(fixture.app, route, objects, company.tokens[role]);
        assert.equal(response.status, 403, JSON.stringify(response.body));
        assert.match(errorBody(response).error, /Forbidden/);
        assert.equal(await registrySnapshot(fixture.database), before);
      });
    }
  }

  for (const route of routeCatalogue.filter(
    (candidate) => candidate.minimumRole === 'admin' && candidate.method === 'get',
  )) {
    test(`when a viewer reads ${describeRoute(route)}, then it answers 403`, async () => {
      const response = await callRoute(fixture.app, route, objects, company.tokens.viewer);
      assert.equal(response.status, 403);
    });
  }

  for (const route of routeCatalogue) {
    test(`when an allowed ${route.minimumRole} calls ${describeRoute(route)} on a fresh company, then it succeeds`, async () => {
      const fresh = await fixture.createCompanyWithUsers(`Fresh${Math.random().toString(36).slice(2, 8)}`);
      const freshObjects = await populateCompany(fixture.database, fresh.companyId, fresh.userIds.viewer);
      const response = await callRoute(fixture.app, route, freshObjects, `Bearer ${fresh.tokens[route.minimumRole]}`);
      assert.ok(response.status >= 200 && response.status < 300, `${response.status} ${JSON.stringify(response.body)}`);
    });
  }
});
