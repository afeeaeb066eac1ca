import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { openApiFixture, type ApiFixture } from './api-fixture';
import { registrySnapshot } from './company-objects';
import { fieldsNamed } from './response-bodies';

const loginRoutes: [string, Record<string, unknown>][] = [
  ['/api/v1/platform/user/authenticate', { email: 'admin@acme.example.com', password: 'secret', token_expiry: 600 }],
  ['/api/v1/platform/user/api_token_reset', { email: 'admin@acme.example.com', password: 'secret' }],
  ['/api/public/v1/auth/login', { username: 'admin@acme.example.com', password: 'secret' }],
  ['/api/public/v1/auth/refresh', { refreshToken: 'some-token' }],
];

function wrongTypeFor(value: unknown): unknown {
  return typeof value === 'string' ? 12345 : 'abc';
}

// The public login routes refuse malformed bodies before looking at any account.
describe('bad input on the login routes', () => {
  let fixture: ApiFixture;
  let snapshot: string;

  before(async () => {
    fixture = await openApiFixture();
    await fixture.createCompanyWithUsers('Acme');
    snapshot = await registrySnapshot(fixture.database);
  });
  after(() => fixture.close());

  for (const [path, valid] of loginRoutes) {
    test(`when ${path} gets wrong types, missing or unknown fields, then it answers 400 naming them`, async () => {
      for (const [key, value] of Object.entries(valid)) {
        const wrong = await request(fixture.app)
          .post(path)
          .send({ ...valid, [key]: wrongTypeFor(value) });
        assert.equal(wrong.status, 400, key);
        assert.ok(fieldsNamed(wrong).includes(key), key);
      }
      const missing = await request(fixture.app).post(path).send({});
      assert.equal(missing.status, 400);
      assert.ok(fieldsNamed(missing).length > 0);
      const unknown = await request(fixture.app)
        .post(path)
        .send({ ...valid, role: 'admin' });
      assert.equal(unknown.status, 400);
      assert.equal(await registrySnapshot(fixture.database), snapshot);
    });

    test(`when ${path} gets a body over 1 MB, then it answers 413`, async () => {
      const response = await request(fixture.app)
        .post(path)
        .send({ ...valid, password: 'x'.repeat(1_100_000) });
      assert.equal(response.status, 413);
    });
  }
});
