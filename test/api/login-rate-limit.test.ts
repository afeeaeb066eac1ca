import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { createApp } from '../../api/app';
import { loginLimits } from '../../api/auth/login-rate-limit';
import { loadConfig } from '../../config/config';
import { openApiFixture, testPassword, type ApiFixture } from './api-fixture';
import { close, listen, postFrom } from './source-address';

const irisLogin = '/api/public/v1/auth/login';
const irisRefresh = '/api/public/v1/auth/refresh';
const edgeIqLogin = '/api/v1/platform/user/authenticate';

describe('login and refresh throttling', () => {
  let fixture: ApiFixture;
  let server: Server;
  const attacker = '127.0.0.2';
  const user = '127.0.0.3';

  before(async () => {
    fixture = await openApiFixture();
    await fixture.createCompanyWithUsers('Acme');
    server = await listen(fixture.app);
  });
  after(async () => {
    await close(server);
    await fixture.close();
  });

  const failLogin = (from: string, account: string) =>
    postFrom(server, from, irisLogin, { username: account, password: 'wrong password' });

  it('when one address keeps failing for an account, then it gets 429 with Retry-After after the limit', async () => {
    const account = 'viewer@acme.example.com';
    const statuses: number[] = [];
    for (let index = 0; index < loginLimits.failuresPerAccountAtAddress; index += 1)
      statuses.push((await failLogin(attacker, account)).status);
    assert.deepEqual(statuses, Array(loginLimits.failuresPerAccountAtAddress).fill(401));
    const limited = await failLogin(attacker, account);
    assert.equal(limited.status, 429);
    assert.match(String(limited.body.error), /Too many/);
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${String(limited.headers['retry-after'])}`);
    const otherDialect = await postFrom(server, attacker, edgeIqLogin, { email: account, password: testPassword });
    assert.equal(otherDialect.status, 429, 'the same counters serve both dialects');
  });

  it('when an anonymous caller has locked an account at its address, then the correct password from another address logs in', async () => {
    const account = 'viewer@acme.example.com';
    assert.equal((await failLogin(attacker, account)).status, 429);
    const login = await postFrom(server, user, irisLogin, { username: account, password: testPassword });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(typeof login.body.token, 'string');
  });

  it('when a user fails a few times and then succeeds, then the failures are forgotten', async () => {
    const account = 'operator@acme.example.com';
    const almost = loginLimits.failuresPerAccountAtAddress - 1;
    for (let index = 0; index < almost; index += 1) assert.equal((await failLogin(user, account)).status, 401);
    const login = await postFrom(server, user, edgeIqLogin, { email: account, password: testPassword });
    assert.equal(login.status, 200);
    for (let index = 0; index < almost; index += 1) assert.equal((await failLogin(user, account)).status, 401);
  });

  it('when one refresh token is replayed past its limit, then only that token is throttled, not other users', async () => {
    const bogus = { refreshToken: 'not-a-real-refresh-token-0123456789' };
    for (let index = 0; index < loginLimits.attemptsPerRefreshToken; index += 1)
      assert.equal((await postFrom(server, attacker, irisRefresh, bogus)).status, 401);
    assert.equal((await postFrom(server, attacker, irisRefresh, bogus)).status, 429);
    const login = await postFrom(server, user, irisLogin, {
      username: 'admin@acme.example.com',
      password: testPassword,
    });
    const refreshed = await postFrom(server, attacker, irisRefresh, { refreshToken: login.body.refreshToken });
    assert.equal(refreshed.status, 200, 'another token refreshes, even from the address that was throttled');
    assert.equal(typeof refreshed.body.token, 'string');
  });

  it('when another API process shares the registry or the API restarts, then the counters still hold', async () => {
    const secondProcess = createApp({
      config: loadConfig({}),
      database: fixture.database,
      temporal: {} as unknown as Client,
      logger: pino({ level: 'silent' }),
    });
    const secondServer = await listen(secondProcess);
    try {
      const answer = await postFrom(secondServer, attacker, irisLogin, {
        username: 'viewer@acme.example.com',
        password: testPassword,
      });
      assert.equal(answer.status, 429);
    } finally {
      await close(secondServer);
    }
  });
});
