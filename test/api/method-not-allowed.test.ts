import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';

describe('methods a documented path does not have', () => {
  let fixture: ApiFixture;
  let company: TestCompany;

  before(async () => {
    fixture = await openApiFixture();
    company = await fixture.createCompanyWithUsers('Methods');
  });
  after(() => fixture.close());

  it('when a public path is called with another method, then it answers 405 with Allow, token or not', async () => {
    for (const token of [undefined, company.tokens.viewer]) {
      let call = request(fixture.app).get('/api/v1/platform/user/authenticate');
      if (token) call = call.set('Authorization', token);
      const response = await call;
      assert.equal(response.status, 405);
      assert.equal(response.headers.allow, 'POST');
      assert.match((response.body as { error: string }).error, /GET is not allowed/);
    }
  });

  it('when a protected path is called with an undocumented method, then it answers 405 listing the documented ones', async () => {
    const response = await request(fixture.app)
      .put('/api/v1/platform/fleets')
      .set('Authorization', company.tokens.admin)
      .send({});
    assert.equal(response.status, 405);
    assert.equal(response.headers.allow, 'GET, POST, HEAD');
    const item = await request(fixture.app)
      .post(`/api/v1/platform/fleets/${'a'.repeat(24)}`)
      .set('Authorization', company.tokens.admin);
    assert.equal(item.status, 405);
    assert.equal(item.headers.allow, 'GET, PUT, PATCH, DELETE, HEAD');
  });

  it('when a documented method or an unknown path is called, then routing goes on as before', async () => {
    const known = await request(fixture.app).get('/api/v1/platform/fleets').set('Authorization', company.tokens.viewer);
    assert.equal(known.status, 200);
    const unknown = await request(fixture.app)
      .get('/api/v1/platform/no_such_thing')
      .set('Authorization', company.tokens.viewer);
    assert.equal(unknown.status, 404);
  });
});
