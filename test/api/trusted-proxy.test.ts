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

const login = '/api/v1/platform/user/authenticate';

// The proxy is a real loopback source address; the clients behind it exist only in the
// X-Forwarded-For header it adds, as a reverse proxy in front of the API would.
describe('login limiter behind a reverse proxy (TRUST_PROXY)', () => {
  let fixture: ApiFixture;
  const servers: Record<string, Server> = {};
  const proxy = '127.0.0.5';

  before(async () => {
    fixture = await openApiFixture();
    await fixture.createCompanyWithUsers('Proxied');
    for (const trustProxy of ['loopback', 'false', '10.0.0.1'])
      servers[trustProxy] = await listen(
        createApp({
          config: loadConfig({ TRUST_PROXY: trustProxy }),
          database: fixture.database,
          temporal: {} as unknown as Client,
          logger: pino({ level: 'silent' }),
        }),
      );
  });
  after(async () => {
    for (const server of Object.values(servers)) await close(server);
    await fixture.close();
  });

  const attempt = (trustProxy: string, client: string, email: string, password: string) =>
    postFrom(servers[trustProxy]!, proxy, login, { email, password }, { 'x-forwarded-for': client });
  const failUntilLimited = async (trustProxy: string, client: () => string, email: string) => {
    for (let index = 0; index < loginLimits.failuresPerAccountAtAddress; index += 1)
      assert.equal((await attempt(trustProxy, client(), email, 'wrong password')).status, 401);
  };

  it('when the proxy is trusted and one client keeps failing, then only that client is locked out of the account', async () => {
    const email = 'viewer@proxied.example.com';
    await failUntilLimited('loopback', () => '203.0.113.10', email);
    assert.equal((await attempt('loopback', '203.0.113.10', email, testPassword)).status, 429);
    const other = await attempt('loopback', '203.0.113.20', email, testPassword);
    assert.equal(other.status, 200, 'the same account logs in from another client behind the same proxy');
  });

  it('when TRUST_PROXY is off, then X-Forwarded-For is ignored: a client cannot escape its bucket by inventing addresses', async () => {
    const email = 'operator@proxied.example.com';
    let counter = 0;
    await failUntilLimited('false', () => `198.51.100.${(counter += 1)}`, email);
    assert.equal((await attempt('false', '198.51.100.200', email, testPassword)).status, 429);
  });

  it('when TRUST_PROXY names another proxy, then the caller is keyed on its own address', async () => {
    const email = 'admin@proxied.example.com';
    let counter = 0;
    await failUntilLimited('10.0.0.1', () => `192.0.2.${(counter += 1)}`, email);
    assert.equal((await attempt('10.0.0.1', '192.0.2.250', email, testPassword)).status, 429);
    const direct = await postFrom(servers['10.0.0.1']!, '127.0.0.6', login, { email, password: testPassword });
    assert.equal(direct.status, 200, 'another source address is not locked out');
  });
});

describe('TRUST_PROXY parsing', () => {
  it('when it is a hop count, a list or a boolean, then express gets that value', () => {
    assert.equal(loadConfig({}).api.trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).api.trustProxy, true);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).api.trustProxy, 2);
    assert.deepEqual(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).api.trustProxy, [
      'loopback',
      '10.0.0.0/8',
      'fd00::1',
    ]);
  });

  it('when an entry is not an address, subnet or known name, then loading fails naming TRUST_PROXY', () => {
    assert.throws(
      () => loadConfig({ TRUST_PROXY: 'loopback,proxy.example.com' }),
      /TRUST_PROXY: .*proxy\.example\.com/,
    );
    assert.throws(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' }), /TRUST_PROXY/);
  });
});
