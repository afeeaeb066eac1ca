import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { loadConfig } from '../../config/config';
import { saveWebhookEvent, recordDeliveryAttempt } from '../../registry/webhook-deliveries.repository';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';
import { bodyOf, errorBody } from './response-bodies';

const base = '/api/v1/platform/webhooks';
// An address literal needs no DNS, and this one is public.
const publicUrl = 'https://93.184.215.14/hooks/fleet';

interface WebhookBody {
  _id: string;
  company_id: string;
  url: string;
  events: string[];
  created_at: string;
  secret?: string;
}

describe('webhooks API', () => {
  let fixture: ApiFixture;
  let alpha: TestCompany;
  let beta: TestCompany;

  before(async () => {
    fixture = await openApiFixture();
    alpha = await fixture.createCompanyWithUsers('Alpha');
    beta = await fixture.createCompanyWithUsers('Beta');
  });
  after(() => fixture.close());

  // The same registry behind an app started with WEBHOOK_ALLOW_PRIVATE=true.
  const appAllowingPrivateAddresses = () =>
    createApp({
      config: loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'true' }),
      database: fixture.database,
      temporal: {} as unknown as Client,
      logger: pino({ level: 'silent' }),
    });

  const create = (token: string, body: object) =>
    request(fixture.app).post(base).set('Authorization', token).send(body);

  it('when an admin creates a webhook without a secret, then one is generated and answered once', async () => {
    const created = await create(alpha.tokens.admin, { url: publicUrl, events: ['bulk_response.completed'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const webhook = bodyOf<WebhookBody>(created);
    assert.match(webhook.secret ?? '', /^whsec_[0-9a-f]{64}$/);
    assert.equal(webhook.company_id, alpha.companyId);
    const fetched = await request(fixture.app).get(`${base}/${webhook._id}`).set('Authorization', alpha.tokens.admin);
    assert.equal(fetched.status, 200);
    const shown = bodyOf<WebhookBody>(fetched);
    assert.equal('secret' in shown, false);
    assert.deepEqual({ ...shown, secret: webhook.secret }, webhook);
  });

  it('when an admin lists, gets and deletes webhooks, then each answers and the deleted one is gone', async () => {
    const created = bodyOf<WebhookBody>(
      await create(alpha.tokens.admin, { url: publicUrl, events: ['bulk_response.started'], secret: 's'.repeat(20) }),
    );
    assert.equal(created.secret, 's'.repeat(20));
    const list = await request(fixture.app).get(`${base}?page_meta=true`).set('Authorization', alpha.tokens.admin);
    const page = bodyOf<{ total: number; resources: WebhookBody[] }>(list);
    assert.ok(page.resources.some((webhook) => webhook._id === created._id));
    assert.equal(page.total, page.resources.length);
    const deleted = await request(fixture.app)
      .delete(`${base}/${created._id}`)
      .set('Authorization', alpha.tokens.admin);
    assert.deepEqual(bodyOf<unknown>(deleted), { _id: created._id, deleted: true });
    const again = await request(fixture.app).get(`${base}/${created._id}`).set('Authorization', alpha.tokens.admin);
    assert.equal(again.status, 404);
  });

  it('when an operator or a viewer calls any webhook route, then it answers 403', async () => {
    for (const token of [alpha.tokens.operator, alpha.tokens.viewer]) {
      assert.equal((await request(fixture.app).get(base).set('Authorization', token)).status, 403);
      assert.equal((await create(token, { url: publicUrl, events: ['bulk_response.started'] })).status, 403);
    }
    assert.equal((await request(fixture.app).get(base)).status, 401);
  });

  it("when a company names another company's webhook, then every route answers 404 and nothing leaks", async () => {
    const theirs = bodyOf<WebhookBody>(
      await create(beta.tokens.admin, { url: publicUrl, events: ['bulk_response.failed'] }),
    );
    for (const path of [`${base}/${theirs._id}`, `${base}/${theirs._id}/deliveries`]) {
      const response = await request(fixture.app).get(path).set('Authorization', alpha.tokens.admin);
      assert.equal(response.status, 404, path);
      assert.match(errorBody(response).error, /not found/);
    }
    const deleted = await request(fixture.app).delete(`${base}/${theirs._id}`).set('Authorization', alpha.tokens.admin);
    assert.equal(deleted.status, 404);
    const list = await request(fixture.app).get(base).set('Authorization', alpha.tokens.admin);
    assert.ok(!JSON.stringify(list.body).includes(theirs._id));
    const still = await request(fixture.app).get(`${base}/${theirs._id}`).set('Authorization', beta.tokens.admin);
    assert.equal(still.status, 200);
  });

  const refusedUrls: [string, RegExp][] = [
    ['ftp://93.184.215.14/hook', /http\(s\)/],
    ['http://169.254.169.254/latest/meta-data', /metadata/],
    ['http://metadata.google.internal/computeMetadata/v1', /metadata/],
    ['http://[fe80::1]/hook', /link-local/],
    ['http://169.254.10.10/hook', /link-local/],
    ['http://127.0.0.1:8080/hook', /private/],
    ['http://10.0.0.5/hook', /private/],
    ['http://[::1]/hook', /private/],
    ['http://[::ffff:192.168.1.1]/hook', /private/],
    ['http://localhost:8080/hook', /resolves to a loopback/],
  ];
  for (const [url, message] of refusedUrls) {
    it(`when the url is ${url}, then the create answers 400 naming url`, async () => {
      const response = await create(alpha.tokens.admin, { url, events: ['bulk_response.started'] });
      assert.equal(response.status, 400, JSON.stringify(response.body));
      const detail = errorBody(response).details.find((item) => item.field === 'url');
      assert.match(detail?.message ?? '', message);
    });
  }

  it('when the host does not resolve (yet), then the webhook is created: every delivery resolves and checks again', async () => {
    const response = await create(alpha.tokens.admin, {
      url: 'http://nothing.invalid/hook',
      events: ['bulk_response.started'],
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
  });

  it('when events are empty, repeated or unknown, or a field is unknown, then the create answers 400', async () => {
    for (const body of [
      { url: publicUrl, events: [] },
      { url: publicUrl, events: ['bulk_response.started', 'bulk_response.started'] },
      { url: publicUrl, events: ['bulk_response.exploded'] },
      { url: publicUrl, events: ['bulk_response.started'], secret: 'short' },
      { url: publicUrl, events: ['bulk_response.started'], extra: true },
    ]) {
      assert.equal((await create(alpha.tokens.admin, body)).status, 400, JSON.stringify(body));
    }
  });

  it('when WEBHOOK_ALLOW_PRIVATE=true, then loopback is accepted and metadata still refused', async () => {
    const app = appAllowingPrivateAddresses();
    const post = (url: string) =>
      request(app)
        .post(base)
        .set('Authorization', alpha.tokens.admin)
        .send({ url, events: ['bulk_response.started'] });
    assert.equal((await post('http://localhost:8080/hook')).status, 201);
    assert.equal((await post('http://10.1.2.3/hook')).status, 201);
    assert.equal((await post('http://169.254.169.254/')).status, 400);
    assert.equal((await post('http://[fe80::1]/')).status, 400);
  });

  it('when the OpenAPI document is read, then it has the webhook paths and its create example works as sent', async () => {
    const document = bodyOf<{
      paths: Record<string, { post?: { requestBody: { content: Record<string, { example: object }> } } }>;
      webhooks: Record<string, unknown>;
    }>(await request(fixture.app).get('/openapi.json'));
    for (const path of [base, `${base}/{id}`, `${base}/{id}/deliveries`]) assert.ok(document.paths[path], path);
    assert.ok(document.webhooks.bulkResponseEvent);
    const example = document.paths[base]?.post?.requestBody.content['application/json']?.example;
    const app = appAllowingPrivateAddresses();
    const created = await request(app).post(base).set('Authorization', alpha.tokens.admin).send(example);
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });

  it('when a webhook has delivery attempts, then /deliveries lists them newest first', async () => {
    const webhook = bodyOf<WebhookBody>(
      await create(alpha.tokens.admin, { url: publicUrl, events: ['bulk_response.completed'] }),
    );
    const eventId = `${'b'.repeat(24)}:bulk_response.completed:1`;
    await saveWebhookEvent(fixture.database, {
      id: eventId,
      companyId: alpha.companyId,
      bulkResponseId: 'b'.repeat(24),
      event: 'bulk_response.completed',
      body: '{}',
      occurredAt: new Date().toISOString(),
    });
    for (const [attempt, outcome, statusCode] of [
      [1, 'failed', 503],
      [2, 'delivered', 204],
    ] as const) {
      await recordDeliveryAttempt(fixture.database, {
        webhookId: webhook._id,
        eventId,
        attempt,
        bulkResponseId: 'b'.repeat(24),
        event: 'bulk_response.completed',
        outcome,
        statusCode,
        error: null,
        startedAt: new Date(Date.now() + attempt * 1000),
      });
    }
    const response = await request(fixture.app)
      .get(`${base}/${webhook._id}/deliveries`)
      .set('Authorization', alpha.tokens.admin);
    assert.equal(response.status, 200);
    const attempts = bodyOf<{ attempt: number; outcome: string; status_code: number; event_id: string }[]>(response);
    assert.deepEqual(
      attempts.map((item) => [item.attempt, item.outcome, item.status_code, item.event_id]),
      [
        [2, 'delivered', 204, eventId],
        [1, 'failed', 503, eventId],
      ],
    );
  });
});
