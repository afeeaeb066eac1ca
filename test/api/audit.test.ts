import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import type { AuditEntry } from '../../contracts/audit.schema';
import { loadConfig } from '../../config/config';
import { createFleet } from '../../registry/fleets.repository';
import { insertDevices } from '../support/transport-fixtures';
import { openApiFixture, testPassword, type ApiFixture, type TestCompany } from './api-fixture';
import { bodyOf, fieldsNamed } from './response-bodies';

const platform = '/api/v1/platform';

// The audit trail through the real app and registry: what each audited route leaves, who may read
// it, and what it never keeps. Starts and controls, which need Temporal, are in console-engine.
describe('audit trail', () => {
  let fixture: ApiFixture;
  let app: ReturnType<typeof createApp>;
  let acme: TestCompany;
  let globex: TestCompany;
  const secrets: string[] = [testPassword];

  before(async () => {
    fixture = await openApiFixture();
    // Loopback webhook URLs allowed, so a webhook create succeeds without DNS.
    app = createApp({
      config: loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'true' }),
      database: fixture.database,
      temporal: {} as unknown as Client,
      logger: pino({ level: 'silent' }),
    });
    acme = await fixture.createCompanyWithUsers('Acme');
    globex = await fixture.createCompanyWithUsers('Globex');
  });
  after(() => fixture.close());

  const auditOf = async (company: TestCompany, query = '') => {
    const response = await request(app)
      .get(`${platform}/audit?per_page=1000${query}`)
      .set('Authorization', company.tokens.admin);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return bodyOf<AuditEntry[]>(response);
  };
  const newest = async (company: TestCompany, action: string) => (await auditOf(company, `&action=${action}`))[0];

  test('when a user logs in, resets an API token and refreshes (IRIS360), then each is recorded without the secrets', async () => {
    const email = 'operator@acme.example.com';
    const login = await request(app).post(`${platform}/user/authenticate`).send({ email, password: testPassword });
    assert.equal(login.status, 200);
    const entry = await newest(acme, 'token.login');
    assert.deepEqual(
      [entry?.actor, entry?.object, entry?.result, entry?.request],
      [
        { user_id: acme.userIds.operator, email, role: 'operator' },
        { type: 'user', id: acme.userIds.operator },
        { status_code: 200 },
        { email, password: '[redacted]' },
      ],
    );
    assert.ok(entry?.address.length, 'the address is recorded');
    const reset = await request(app).post(`${platform}/user/api_token_reset`).send({ email, password: testPassword });
    secrets.push(
      bodyOf<{ session_token: string }>(login).session_token,
      bodyOf<{ api_token: string }>(reset).api_token,
    );
    assert.equal((await newest(acme, 'token.api_token_reset'))?.result.status_code, 200);
    const iris = await request(app).post('/api/public/v1/auth/login').send({ username: email, password: testPassword });
    const refreshed = await request(app)
      .post('/api/public/v1/auth/refresh')
      .send({ refreshToken: bodyOf<{ refreshToken: string }>(iris).refreshToken });
    assert.equal(refreshed.status, 200);
    secrets.push(bodyOf<{ refreshToken: string }>(iris).refreshToken, bodyOf<{ token: string }>(refreshed).token);
    const refresh = await newest(acme, 'token.refresh');
    assert.deepEqual([refresh?.actor.email, refresh?.request], [email, { refreshToken: '[redacted]' }]);
  });

  test('when a login names an account with a wrong password, then it is recorded 401; an unknown account or a malformed body is not', async () => {
    const before = (await auditOf(acme)).length;
    const wrong = await request(app)
      .post(`${platform}/user/authenticate`)
      .send({ email: 'viewer@acme.example.com', password: 'not the password' });
    assert.equal(wrong.status, 401);
    await request(app).post(`${platform}/user/authenticate`).send({ email: 'nobody@acme.example.com', password: 'x' });
    await request(app)
      .post(`${platform}/user/authenticate`)
      .send({ email: 'viewer@acme.example.com', token_expiry: 1 });
    const entries = await auditOf(acme);
    assert.equal(entries.length, before + 1);
    assert.deepEqual([entries[0]?.actor.email, entries[0]?.result.status_code], ['viewer@acme.example.com', 401]);
  });

  test('when an admin creates, updates and deletes a user, then three entries name the user, the password redacted', async () => {
    const created = await request(app)
      .post(`${platform}/users`)
      .set('Authorization', acme.tokens.admin)
      .send({ email: 'new@acme.example.com', password: 'a brand new long password', role: 'viewer' });
    const userId = bodyOf<{ _id: string }>(created)._id;
    secrets.push('a brand new long password');
    await request(app)
      .patch(`${platform}/users/${userId}`)
      .set('Authorization', acme.tokens.admin)
      .send({ role: 'operator' });
    await request(app).delete(`${platform}/users/${userId}`).set('Authorization', acme.tokens.admin);
    const entries = await auditOf(acme, `&object_id=${userId}`);
    assert.deepEqual(
      entries.map((entry) => [entry.action, entry.result.status_code, entry.actor.role]),
      [
        ['user.delete', 200, 'admin'],
        ['user.update', 200, 'admin'],
        ['user.create', 201, 'admin'],
      ],
    );
    assert.deepEqual(entries[2]?.request, { email: 'new@acme.example.com', password: '[redacted]', role: 'viewer' });
  });

  test('when an operator tries an admin action, then the refusal is recorded with its status and the operator named', async () => {
    const refused = await request(app)
      .post(`${platform}/webhooks`)
      .set('Authorization', acme.tokens.operator)
      .send({ url: 'http://127.0.0.1:9/hook', events: ['bulk_response.started'] });
    assert.equal(refused.status, 403);
    const entry = await newest(acme, 'webhook.create');
    assert.deepEqual([entry?.actor.role, entry?.result.status_code, entry?.object.id], ['operator', 403, null]);
  });

  test('when an admin creates and deletes a webhook, then both are recorded and the secret is not', async () => {
    const secret = 'webhook-secret-that-must-not-be-kept';
    secrets.push(secret);
    const created = await request(app)
      .post(`${platform}/webhooks`)
      .set('Authorization', acme.tokens.admin)
      .send({ url: 'http://user:pa55word@127.0.0.1:9/hook', events: ['bulk_response.started'], secret });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const webhookId = bodyOf<{ _id: string }>(created)._id;
    await request(app).delete(`${platform}/webhooks/${webhookId}`).set('Authorization', acme.tokens.admin);
    const entries = await auditOf(acme, `&object_id=${webhookId}`);
    assert.deepEqual(
      entries.map((entry) => entry.action),
      ['webhook.delete', 'webhook.create'],
    );
    assert.deepEqual(entries[1]?.request, {
      url: 'http://[redacted]@127.0.0.1:9/hook',
      events: ['bulk_response.started'],
      secret: '[redacted]',
    });
  });

  test("when an admin rotates one device's and a fleet's credentials, then both rotations are recorded", async () => {
    await insertDevices(fixture.database, acme.companyId, 2);
    const fleet = await createFleet(fixture.database, acme.companyId, { name: 'All', criteria: {} });
    const [device] = await fixture.database.query<{ id: string }>('select id from devices where company_id = $1', [
      acme.companyId,
    ]);
    const one = await request(app)
      .post(`${platform}/devices/${device!.id}/credentials`)
      .set('Authorization', acme.tokens.admin);
    const all = await request(app)
      .post(`${platform}/fleets/${fleet._id}/device_credentials`)
      .set('Authorization', acme.tokens.admin);
    secrets.push(
      bodyOf<{ password: string }>(one).password,
      ...bodyOf<{ password: string }[]>(all).map((c) => c.password),
    );
    assert.deepEqual((await newest(acme, 'device.credentials_rotate'))?.object, { type: 'device', id: device!.id });
    assert.deepEqual((await newest(acme, 'fleet.device_credentials_rotate'))?.object, { type: 'fleet', id: fleet._id });
  });

  test('when an operator or a viewer reads the audit trail, then it answers 403', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      const response = await request(app).get(`${platform}/audit`).set('Authorization', acme.tokens[role]);
      assert.equal(response.status, 403);
    }
  });

  test('when the filters are wrong, then it answers 400 naming each', async () => {
    const cases: [string, string][] = [
      ['acter=x', 'query'],
      ['action=bulk_response.explode', 'query.action'],
      ['object_id=123', 'query.object_id'],
      ['since=yesterday', 'query.since'],
      ['per_page=0', 'query.per_page'],
    ];
    for (const [query, field] of cases) {
      const response = await request(app).get(`${platform}/audit?${query}`).set('Authorization', acme.tokens.admin);
      assert.equal(response.status, 400, query);
      assert.deepEqual(fieldsNamed(response), [field], query);
    }
  });

  test('when until is not after since, then the range is empty: no entries, not an error', async () => {
    const response = await request(app)
      .get(`${platform}/audit?since=2027-01-02T00:00:00Z&until=2027-01-01T00:00:00Z`)
      .set('Authorization', acme.tokens.admin);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, []);
  });

  test('when since and until are valid ISO times PostgreSQL cannot read as text (offsets past 15:59, year 0), then the range still answers', async () => {
    const since = encodeURIComponent('0000-05-31T03:19:30.255767+16:33');
    const until = encodeURIComponent('9999-12-31T23:59:59+23:59');
    const response = await request(app)
      .get(`${platform}/audit?since=${since}&until=${until}&page_meta=true`)
      .set('Authorization', acme.tokens.admin);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.ok((response.body as { total: number }).total > 0, 'every entry lies in that range');
  });

  test("when another company acts, then its entries never show in this company's trail, even by object id", async () => {
    await request(app)
      .post(`${platform}/users`)
      .set('Authorization', globex.tokens.admin)
      .send({ email: 'someone@globex.example.com', password: 'a long globex password', role: 'viewer' });
    const theirs = await auditOf(globex);
    assert.equal(theirs.length, 1);
    assert.equal((await auditOf(acme, `&object_id=${theirs[0]!.object.id}`)).length, 0);
    assert.ok(!JSON.stringify(await auditOf(acme)).includes('globex'));
    const paged = bodyOf<{ total: number; resources: AuditEntry[] }>(
      await request(app).get(`${platform}/audit?page_meta=true&per_page=1`).set('Authorization', globex.tokens.admin),
    );
    assert.deepEqual([paged.total, paged.resources.length], [1, 1]);
  });

  test('when an entry cannot be written, then the action still answers and the failure is logged', async () => {
    const lines: string[] = [];
    const logged = createApp({
      config: loadConfig({}),
      database: fixture.database,
      temporal: {} as unknown as Client,
      logger: pino({ level: 'error' }, { write: (line: string) => lines.push(line) }),
    });
    await fixture.database.query('alter table audit_entries rename to audit_entries_away');
    try {
      const created = await request(logged)
        .post(`${platform}/users`)
        .set('Authorization', acme.tokens.admin)
        .send({ email: 'unaudited@acme.example.com', password: 'another long password', role: 'viewer' });
      assert.equal(created.status, 201);
    } finally {
      await fixture.database.query('alter table audit_entries_away rename to audit_entries');
    }
    assert.ok(lines.some((line) => line.includes('audit entry not recorded') && line.includes('user.create')));
    assert.ok(!lines.join('').includes('another long password'));
  });

  test('when every entry is read back from the registry, then no password, token or secret used above is in it', async () => {
    const stored = JSON.stringify(await fixture.database.query('select * from audit_entries'));
    for (const secret of secrets) assert.ok(!stored.includes(secret), `a secret of ${secret.length} characters leaked`);
  });
});
