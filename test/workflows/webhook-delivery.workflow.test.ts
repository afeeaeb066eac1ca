import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createWebhookActivities } from '../../activities/webhook.activities';
import { loadConfig } from '../../config/config';
import { webhookDeliveryWorkflowId, type BulkResponseEventName } from '../../contracts/webhook-events';
import { insertBulkResponse } from '../../registry/bulk-responses.repository';
import { createCompany } from '../../registry/companies.repository';
import type { Database } from '../../registry/database';
import { newObjectId } from '../../registry/object-id';
import { createWebhook } from '../../registry/webhooks.repository';
import { documentedNodeVerifier, type SignatureVerifier } from '../support/readme-signature-snippets';
import { openTestDatabase } from '../support/test-database';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { publishEventsWorkflow } from './webhook-publisher.workflows';
import { eventually } from '../support/bounded-waits';

const secret = 'workflow-test-secret';
const hour = 60 * 60 * 1000;

interface AttemptRow {
  event: string;
  attempt: number;
  outcome: string;
  error: string | null;
  started_at: Date;
}

const until = (check: () => boolean) => eventually(() => check(), 30_000, 'the receiver to see it');

describe('webhook delivery (time-skipping test server, real receiver)', () => {
  let environment: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let database: Database;
  let receiver: WebhookReceiver;
  let verifySignature: SignatureVerifier;
  let queue = 0;
  let companies = 0;

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    environment = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: loadConfig().temporal.testServerPath } },
    });
    bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./webhook-publisher.workflows.ts', import.meta.url)),
      logger: new DefaultLogger('ERROR'),
    });
    database = await openTestDatabase();
    receiver = await startWebhookReceiver();
    verifySignature = await documentedNodeVerifier();
  });
  after(async () => {
    await receiver?.close();
    await database?.close();
    await environment?.teardown();
  });

  // A company of its own, so only this rollout's webhook is subscribed.
  async function newRollout(events: BulkResponseEventName[], url = receiver.url) {
    const companyId = (await createCompany(database, `Hooks ${(companies += 1)}`)).id;
    const bulkResponseId = newObjectId();
    await insertBulkResponse(database, {
      id: bulkResponseId,
      companyId,
      fleetId: null,
      action: 'add_tags',
      request: { action: 'add_tags', tags: ['hooked'] },
      createdBy: null,
    });
    const webhook = await createWebhook(database, companyId, { url, events, secret });
    return { bulkResponseId, companyId, webhookId: webhook._id };
  }

  // Publishes as the rollout does, then waits until the delivery workflow has closed.
  async function publishAndDeliver(
    rollout: { bulkResponseId: string; companyId: string; webhookId: string },
    events: BulkResponseEventName[],
    options: { allowPrivate?: boolean; withoutWaiting?: boolean; whileDelivering?: () => Promise<void> } = {},
  ): Promise<void> {
    const taskQueue = `webhooks-${(queue += 1)}`;
    const worker = await Worker.create({
      connection: environment.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createWebhookActivities({ database, allowPrivateWebhookAddresses: options.allowPrivate ?? true }),
    });
    await worker.runUntil(async () => {
      await environment.client.workflow.execute(publishEventsWorkflow, {
        taskQueue,
        workflowId: `publisher-${rollout.bulkResponseId}`,
        args: [
          {
            bulkResponseId: rollout.bulkResponseId,
            companyId: rollout.companyId,
            events,
            withoutWaiting: options.withoutWaiting ?? false,
          },
        ],
      });
      const delivery = environment.client.workflow.getHandle(
        webhookDeliveryWorkflowId(rollout.bulkResponseId, rollout.webhookId),
      );
      await Promise.all([delivery.result(), options.whileDelivering?.()]);
    });
  }

  const attemptsOf = (webhookId: string) =>
    database.query<AttemptRow>(
      'select event, attempt, outcome, error, started_at from webhook_deliveries where webhook_id = $1 order by started_at, attempt',
      [webhookId],
    );

  const bodiesFor = (bulkResponseId: string) =>
    receiver
      .delivered()
      .filter((received) => received.body.includes(bulkResponseId))
      .map((received) => ({ ...received, parsed: JSON.parse(received.body) as { id: string; event: string } }));

  it('when the receiver is down for hours and then returns, then it gets every event once, in order, signed', async () => {
    const events: BulkResponseEventName[] = [
      'bulk_response.started',
      'bulk_response.paused',
      'bulk_response.resumed',
      'bulk_response.completed',
    ];
    const rollout = await newRollout(events);
    const startedAt = await environment.currentTimeMs();
    const requestsBefore = receiver.requests.length;
    receiver.answerWith(503);
    await publishAndDeliver(rollout, events, {
      whileDelivering: async () => {
        await until(() => receiver.requests.length >= requestsBefore + 25);
        receiver.answerWith(204);
      },
    });
    assert.ok((await environment.currentTimeMs()) - startedAt > hour, 'expected hours of backoff, skipped');
    const delivered = bodiesFor(rollout.bulkResponseId);
    assert.deepEqual(
      delivered.map((received) => received.parsed.event),
      events,
    );
    assert.equal(new Set(delivered.map((received) => received.parsed.id)).size, events.length);
    for (const received of delivered)
      assert.ok(verifySignature(String(received.headers['x-fleet-signature']), received.body, secret));
    const attempts = await attemptsOf(rollout.webhookId);
    const first = attempts.filter((row) => row.event === 'bulk_response.started');
    assert.ok(first.length >= 25, `expected every attempt recorded, got ${first.length}`);
    assert.deepEqual(
      first.map((row) => row.outcome),
      [...Array<string>(first.length - 1).fill('failed'), 'delivered'],
    );
  });

  it('when the receiver never returns, then each event is retried for 24 h, given up, and the next one follows', async () => {
    const rollout = await newRollout(['bulk_response.started', 'bulk_response.completed']);
    receiver.answerWith(500);
    const startedAt = await environment.currentTimeMs();
    await publishAndDeliver(rollout, ['bulk_response.started', 'bulk_response.completed']);
    receiver.answerWith(204);
    assert.ok((await environment.currentTimeMs()) - startedAt >= 24 * hour);
    const attempts = await attemptsOf(rollout.webhookId);
    const started = attempts.filter((row) => row.event === 'bulk_response.started');
    const completed = attempts.filter((row) => row.event === 'bulk_response.completed');
    assert.ok(started.length > 250, `expected about 24 h of attempts, got ${started.length}`);
    assert.ok(completed.length >= 1);
    assert.ok(attempts.every((row) => row.outcome === 'failed'));
    assert.ok(completed[0]!.started_at >= started.at(-1)!.started_at, 'the next event waits for the previous one');
  });

  it('when events are published without waiting (from signal handlers), then they arrive in publication order', async () => {
    const events: BulkResponseEventName[] = [
      'bulk_response.started',
      'bulk_response.paused',
      'bulk_response.resumed',
      'bulk_response.paused',
      'bulk_response.resumed',
      'bulk_response.canceled',
    ];
    const rollout = await newRollout([...new Set(events)]);
    receiver.answerWith(204);
    await publishAndDeliver(rollout, events, { withoutWaiting: true });
    const delivered = bodiesFor(rollout.bulkResponseId);
    assert.deepEqual(
      delivered.map((received) => received.parsed.event),
      events,
    );
    assert.equal(new Set(delivered.map((received) => received.parsed.id)).size, events.length);
  });

  it('when the same event is published twice, then the receiver gets it once', async () => {
    const rollout = await newRollout(['bulk_response.started']);
    receiver.answerWith(204);
    await publishAndDeliver(rollout, ['bulk_response.started', 'bulk_response.started']);
    assert.equal(bodiesFor(rollout.bulkResponseId).length, 1);
  });

  it('when the receiver resolves to a private address that is not allowed, then the attempt is refused and not retried', async () => {
    const rollout = await newRollout(
      ['bulk_response.started', 'bulk_response.completed'],
      // A name, so the check runs on what it resolves to when the connection is made.
      receiver.url.replace('127.0.0.1', 'localhost'),
    );
    const requestsBefore = receiver.requests.length;
    await publishAndDeliver(rollout, ['bulk_response.started', 'bulk_response.completed'], { allowPrivate: false });
    assert.equal(receiver.requests.length, requestsBefore);
    const attempts = await attemptsOf(rollout.webhookId);
    assert.deepEqual(
      attempts.map((row) => [row.event, row.attempt, row.outcome]),
      [
        ['bulk_response.started', 1, 'refused'],
        ['bulk_response.completed', 1, 'refused'],
      ],
    );
    assert.ok(attempts.every((row) => /localhost resolves to a loopback/.test(row.error ?? '')));
  });

  it('when events cannot be enqueued at all, then publishing still returns and the rollout goes on', async () => {
    const taskQueue = `webhooks-${(queue += 1)}`;
    let calls = 0;
    const worker = await Worker.create({
      connection: environment.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: {
        enqueueBulkResponseEvent: () => {
          calls += 1;
          return Promise.reject(new Error('registry unavailable'));
        },
      },
    });
    await worker.runUntil(
      environment.client.workflow.execute(publishEventsWorkflow, {
        taskQueue,
        workflowId: `publisher-unavailable`,
        args: [
          {
            bulkResponseId: newObjectId(),
            companyId: newObjectId(),
            events: ['bulk_response.started', 'bulk_response.failed'],
          },
        ],
      }),
    );
    assert.ok(calls > 2, `expected the enqueue to be retried, got ${calls} calls`);
  });
});
