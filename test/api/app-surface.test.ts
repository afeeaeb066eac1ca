import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { openApiFixture, type ApiFixture } from './api-fixture';

describe('app surface', () => {
  let fixture: ApiFixture;
  before(async () => {
    fixture = await openApiFixture();
  });
  after(() => fixture.close());

  test('when /healthz is called without a token, then it answers ok', async () => {
    const response = await request(fixture.app).get('/healthz');
    assert.deepEqual([response.status, response.body as unknown], [200, { status: 'ok' }]);
  });

  test('when /openapi.json is fetched, then it is an OpenAPI 3.1 document covering both dialects', async () => {
    const response = await request(fixture.app).get('/openapi.json');
    assert.equal(response.status, 200);
    const document = response.body as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    assert.equal(document.openapi, '3.1.0');
    for (const path of [
      '/api/v1/platform/user/authenticate',
      '/api/v1/platform/devices/{id}',
      '/api/v1/platform/fleets',
      '/api/public/v1/auth/login',
      '/api/public/v1/devices/paginate',
      '/api/public/v1/devices/import',
    ]) {
      assert.ok(document.paths[path], path);
    }
    assert.ok(document.components.schemas.Device);
  });

  test('when /docs is opened, then the Swagger UI page and its assets are served', async () => {
    const page = await request(fixture.app).get('/docs');
    assert.equal(page.status, 200);
    assert.match(page.text, /openapi\.json/);
    assert.equal((await request(fixture.app).get('/docs/swagger-ui-bundle.js')).status, 200);
  });

  test('when an unknown route is called, then it answers a JSON 404', async () => {
    const response = await request(fixture.app).get('/nowhere');
    assert.equal(response.status, 404);
    assert.match(response.headers['content-type'] ?? '', /application\/json/);
  });
});
