import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { loadConfig } from '../../config/config';
import { redactedPaths } from '../../config/logger';
import type { Database } from '../../registry/database';
import { openTestDatabase } from '../support/test-database';

// The request log of the real app, captured: secrets a client sends must never reach a line.
describe('request logs', () => {
  let database: Database;
  const lines: string[] = [];

  before(async () => {
    database = await openTestDatabase();
  });
  after(() => database.close());

  it('when a request carries a cookie, a token and a password, then no log line holds any of them', async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ name: 'api', level: 'info', redact: { paths: redactedPaths, censor: '[redacted]' } }, sink);
    const app = createApp({ config: loadConfig({}), database, temporal: {} as unknown as Client, logger });
    await request(app)
      .post('/api/public/v1/auth/login')
      .set('Cookie', 'session=cookie-secret-value')
      .set('Authorization', 'Bearer token-secret-value')
      .send({ username: 'nobody@example.com', password: 'password-secret-value' });
    const log = lines.join('');
    assert.match(log, /"name":"api"/);
    assert.match(log, /\/api\/public\/v1\/auth\/login/, 'the request was logged');
    for (const secret of ['cookie-secret-value', 'token-secret-value', 'password-secret-value'])
      assert.doesNotMatch(log, new RegExp(secret), secret);
  });
});
