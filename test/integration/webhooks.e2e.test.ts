import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createWebhookActivities } from '../../activities/webhook.activities';
import { loadConfig } from '../../config/config';
import { insertBulkResponse } from '../../registry/bulk-responses.repository';
import { newObjectId } from '../../registry/object-id';
import { startTemporalDevServer, type DevServer } from '../../scripts/embedded/temporal-dev-server';
import { openApiFixture, type ApiFixture, type TestCompany } from '../api/api-fixture';
import { freePort } from '../../harness/free-port';
import { documentedNodeVerifier, readmeSnippet, type SignatureVerifier } from '../support/readme-signature-snippets';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { publishEventsWorkflow } from '../workflows/webhook-publisher.workflows';

const base = '/api/v1/platform/webhooks';
const secret = 'end-to-end-webhook-secret';
const taskQueue = 'webhooks-e2e';

const until = async (check: () => boolean, withinMilliseconds: number) => {
  const deadline = Date.now() + withinMilliseconds;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${withinMilliseconds} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

// The README's Python snippet, run by python3 on what the receiver got.
function pythonVerifies(header: string, body: string): boolean {
  const program = `${readmeSnippet('webhook-verify-python')}
import sys
print(verify_fleet_signature(sys.argv[1], sys.argv[2].encode(), sys.argv[3]))`;
  const run = spawnSync('python3', ['-c', program, header, body, secret], { encoding: 'utf8', timeout: 10_000 });
  return run.stdout.trim() === 'True';
}

// A real dev server, registry, API (WEBHOOK_ALLOW_PRIVATE=true), worker and HTTP receiver on
// loopback; events are published by a stand-in for the rollout, the way the rollout publishes them.
describe('webhooks end to end (dev server, registry, API, worker, real receiver)', () => {
  let fixture: ApiFixture;
  let company: TestCompany;
  let devServer: DevServer;
  let connection: Connection;
  let temporal: Client;
  let worker: Worker;
  let running: Promise<void>;
  let receiver: WebhookReceiver;
  let verifyWithNodeSnippet: SignatureVerifier;

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    fixture = await openApiFixture();
    company = await fixture.createCompanyWithUsers('Hooked');
    receiver = await startWebhookReceiver();
    verifyWithNodeSnippet = await documentedNodeVerifier();
    const port = await freePort();
    devServer = await startTemporalDevServer({ cliPath: loadConfig().temporal.cliPath, port, namespace: 'default' });
    connection = await Connection.connect({ address: devServer.address });
    temporal = new Client({ connection, namespace: 'default' });
    worker = await Worker.create({
      connection: await NativeConnection.connect({ address: devServer.address }),
      taskQueue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: fileURLToPath(new URL('../workflows/webhook-publisher.workflows.ts', import.meta.url)),
        logger: new DefaultLogger('ERROR'),
      }),
      activities: createWebhookActivities({ database: fixture.database, allowPrivateWebhookAddresses: true }),
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await devServer?.stop();
    await receiver?.close();
    await fixture?.close();
  });

  it('when the receiver is down at first, then it still gets started and completed, in order, verifiable by the README snippets', async () => {
    const app = createApp({
      config: loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'true' }),
      database: fixture.database,
      temporal,
      logger: pino({ level: 'silent' }),
    });
    const created = await request(app)
      .post(base)
      .set('Authorization', company.tokens.admin)
      .send({
        url: receiver.url.replace('127.0.0.1', 'localhost'),
        events: ['bulk_response.started', 'bulk_response.completed'],
        secret,
      })
      .expect(201);
    const webhookId = (created.body as { _id: string })._id;
    const bulkResponseId = newObjectId();
    await insertBulkResponse(fixture.database, {
      id: bulkResponseId,
      companyId: company.companyId,
      fleetId: null,
      action: 'add_tags',
      request: { action: 'add_tags', tags: ['hooked'] },
      createdBy: null,
    });

    receiver.answerWith(503);
    await temporal.workflow.execute(publishEventsWorkflow, {
      taskQueue,
      workflowId: `publisher-${bulkResponseId}`,
      args: [
        {
          bulkResponseId,
          companyId: company.companyId,
          events: ['bulk_response.started', 'bulk_response.paused', 'bulk_response.completed'],
        },
      ],
    });
    await until(() => receiver.requests.length >= 1, 15_000);
    receiver.answerWith(204);
    await until(() => receiver.delivered().length >= 2, 30_000);

    const delivered = receiver.delivered();
    const bodies = delivered.map((received) => JSON.parse(received.body) as Record<string, unknown>);
    assert.deepEqual(
      bodies.map((body) => body.event),
      ['bulk_response.started', 'bulk_response.completed'],
    );
    assert.deepEqual(
      bodies.map((body) => body.id),
      [`${bulkResponseId}:bulk_response.started:1`, `${bulkResponseId}:bulk_response.completed:1`],
    );
    assert.deepEqual(
      bodies.map((body) => (body.bulk_response as { _id: string; status: string })._id),
      [bulkResponseId, bulkResponseId],
    );
    for (const received of delivered) {
      const header = String(received.headers['x-fleet-signature']);
      assert.ok(verifyWithNodeSnippet(header, received.body, secret), 'node snippet');
      assert.ok(pythonVerifies(header, received.body), 'python snippet');
      assert.equal(verifyWithNodeSnippet(header, received.body, 'another-secret'), false);
    }

    const attempts = await request(app)
      .get(`${base}/${webhookId}/deliveries`)
      .set('Authorization', company.tokens.admin)
      .expect(200);
    const rows = (attempts.body as { event: string; attempt: number; outcome: string; status_code: number }[])
      .map((row) => [row.event, row.attempt, row.outcome, row.status_code])
      .sort((left, right) => String(left[0]).localeCompare(String(right[0])) || Number(left[1]) - Number(right[1]));
    assert.deepEqual(rows, [
      ['bulk_response.completed', 1, 'delivered', 204],
      ['bulk_response.started', 1, 'failed', 503],
      ['bulk_response.started', 2, 'delivered', 204],
    ]);
  });
});
