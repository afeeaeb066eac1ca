import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { bodyOf, errorBody, fieldsNamed } from './response-bodies';
import { openApiFixture, testPassword, type ApiFixture } from './api-fixture';

interface Tokens {
  id: string;
  email: string;
  role: string;
  password_hash?: string;
  session_token: string;
  session_expires_at: string;
  api_token: string;
  token: string;
  refreshToken: string;
}

describe('authentication, both dialects', () => {
  let fixture: ApiFixture;
  const email = 'admin@acme.example.com';

  before(async () => {
    fixture = await openApiFixture();
    await fixture.createCompanyWithUsers('Acme');
  });
  after(() => fixture.close());

  const me = (authorization: string) =>
    request(fixture.app).get('/api/v1/platform/me').set('Authorization', authorization);

  test('when an EdgeIQ user authenticates, then a 4-hour session token opens the API with or without Bearer', async () => {
    const response = await request(fixture.app)
      .post('/api/v1/platform/user/authenticate')
      .send({ email: 'Admin@Acme.example.com', password: testPassword });
    assert.equal(response.status, 200);
    assert.equal(bodyOf<Tokens>(response).email, email);
    assert.equal(bodyOf<Tokens>(response).role, 'admin');
    assert.equal(bodyOf<Tokens>(response).password_hash, undefined);
    const lifetime = Date.parse(bodyOf<Tokens>(response).session_expires_at) - Date.now();
    assert.ok(lifetime > 4 * 3600_000 - 60_000 && lifetime <= 4 * 3600_000);
    assert.equal(bodyOf<Tokens>(await me(bodyOf<Tokens>(response).session_token)).email, email);
    assert.equal((await me(`Bearer ${bodyOf<Tokens>(response).session_token}`)).status, 200);
  });

  test('when token_expiry is given, then the session lasts that long, and beyond 7 days it is refused', async () => {
    const short = await request(fixture.app)
      .post('/api/v1/platform/user/authenticate')
      .send({ email, password: testPassword, token_expiry: 600 });
    assert.ok(Math.abs(Date.parse(bodyOf<Tokens>(short).session_expires_at) - Date.now() - 600_000) < 5_000);
    const tooLong = await request(fixture.app)
      .post('/api/v1/platform/user/authenticate')
      .send({ email, password: testPassword, token_expiry: 8 * 86400 });
    assert.equal(tooLong.status, 400);
    assert.equal(fieldsNamed(tooLong)[0], 'token_expiry');
  });

  test('when the password is wrong or the email unknown, then both answer the same 401', async () => {
    const wrong = await request(fixture.app)
      .post('/api/v1/platform/user/authenticate')
      .send({ email, password: 'wrong' });
    const unknown = await request(fixture.app)
      .post('/api/v1/platform/user/authenticate')
      .send({ email: 'nobody@acme.example.com', password: 'wrong' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(errorBody(wrong), errorBody(unknown));
    assert.match(errorBody(wrong).error, /Not authorized/);
  });

  test('when an API token is reset, then the new one works without expiry and the previous one stops working', async () => {
    const first = await request(fixture.app)
      .post('/api/v1/platform/user/api_token_reset')
      .send({ email, password: testPassword });
    assert.equal(first.status, 200);
    assert.equal((await me(bodyOf<Tokens>(first).api_token)).status, 200);
    const second = await request(fixture.app)
      .post('/api/v1/platform/user/api_token_reset')
      .send({ email, password: testPassword });
    assert.equal((await me(bodyOf<Tokens>(second).api_token)).status, 200);
    const revoked = await me(bodyOf<Tokens>(first).api_token);
    assert.equal(revoked.status, 401);
    assert.match(errorBody(revoked).error, /Not authorized/);
  });

  test('when an IRIS360 user logs in and refreshes, then the refresh token rotates and the old one is refused', async () => {
    const login = await request(fixture.app)
      .post('/api/public/v1/auth/login')
      .send({ username: email, password: testPassword });
    assert.equal(login.status, 200);
    assert.deepEqual(Object.keys(bodyOf<Tokens>(login)).sort(), ['id', 'refreshToken', 'token']);
    const paginate = await request(fixture.app)
      .post('/api/public/v1/devices/paginate')
      .set('Authorization', `Bearer ${bodyOf<Tokens>(login).token}`)
      .send({});
    assert.equal(paginate.status, 200);
    const refreshed = await request(fixture.app)
      .post('/api/public/v1/auth/refresh')
      .send({ refreshToken: bodyOf<Tokens>(login).refreshToken });
    assert.equal(refreshed.status, 200);
    assert.notEqual(bodyOf<Tokens>(refreshed).refreshToken, bodyOf<Tokens>(login).refreshToken);
    assert.equal((await me(`Bearer ${bodyOf<Tokens>(refreshed).token}`)).status, 200);
    const reused = await request(fixture.app)
      .post('/api/public/v1/auth/refresh')
      .send({ refreshToken: bodyOf<Tokens>(login).refreshToken });
    assert.equal(reused.status, 401);
    assert.match(errorBody(reused).error, /Not authorized/);
  });

  test("when an admin changes a user's password, then that user's tokens stop working", async () => {
    const login = await request(fixture.app)
      .post('/api/public/v1/auth/login')
      .send({ username: 'operator@acme.example.com', password: testPassword });
    const operator = bodyOf<Tokens>(login);
    const adminLogin = await request(fixture.app)
      .post('/api/v1/platform/user/authenticate')
      .send({ email, password: testPassword });
    const changed = await request(fixture.app)
      .patch(`/api/v1/platform/users/${operator.id}`)
      .set('Authorization', bodyOf<Tokens>(adminLogin).session_token)
      .send({ password: 'a brand new long password' });
    assert.equal(changed.status, 200);
    assert.equal((await me(`Bearer ${operator.token}`)).status, 401);
    const refresh = await request(fixture.app)
      .post('/api/public/v1/auth/refresh')
      .send({ refreshToken: operator.refreshToken });
    assert.equal(refresh.status, 401);
  });

  test('when a refresh token is used as an access token, then it is refused', async () => {
    const login = await request(fixture.app)
      .post('/api/public/v1/auth/login')
      .send({ username: email, password: testPassword });
    assert.equal((await me(`Bearer ${bodyOf<Tokens>(login).refreshToken}`)).status, 401);
  });

  test('when an account keeps failing to log in, then it is rate limited with 429 while other accounts are not', async () => {
    const attempt = (account: string) =>
      request(fixture.app).post('/api/public/v1/auth/login').send({ username: account, password: 'wrong' });
    const statuses: number[] = [];
    for (let index = 0; index < 12; index += 1) statuses.push((await attempt('viewer@acme.example.com')).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses[11], 429);
    const limited = await attempt('viewer@acme.example.com');
    assert.match(errorBody(limited).error, /Too many/);
    assert.equal((await attempt('operator@acme.example.com')).status, 401);
    const otherDialect = await request(fixture.app)
      .post('/api/v1/platform/user/authenticate')
      .send({ email: 'viewer@acme.example.com', password: testPassword });
    assert.equal(otherDialect.status, 429);
  });
});
