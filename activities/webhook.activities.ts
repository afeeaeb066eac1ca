import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  statusAnnouncedBy,
  webhookDeliveryWorkflowId,
  webhookDeliveryWorkflowType,
  webhookEventSignalName,
  type BulkResponseEvent,
  type BulkResponseEventPublisher,
  type QueuedWebhookEvent,
  type WebhookDeliveryInput,
} from '../contracts/webhook-events';
import { findBulkResponse } from '../registry/bulk-responses.repository';
import type { Database } from '../registry/database';
import {
  findWebhookEvent,
  recordDeliveryAttempt,
  saveWebhookEvent,
  type DeliveryOutcome,
} from '../registry/webhook-deliveries.repository';
import { findWebhookForDelivery, listSubscribedWebhookIds } from '../registry/webhooks.repository';
import { postWebhook, webhookSignature, type WebhookAnswer } from './webhook-http';

export interface WebhookActivityDependencies {
  database: Database;
  allowPrivateWebhookAddresses?: boolean | undefined;
}

export interface WebhookDeliveryTask {
  webhookId: string;
  eventId: string;
}

// What became of one event for one webhook; a failure to deliver is thrown (and retried).
export type WebhookDeliveryResult = 'delivered' | 'webhook_deleted' | 'event_missing';

const attemptTimeoutMilliseconds = 10_000;

export function createWebhookActivities(dependencies: WebhookActivityDependencies) {
  const { database } = dependencies;
  const allowPrivateAddresses = dependencies.allowPrivateWebhookAddresses ?? false;

  const publisher: BulkResponseEventPublisher = {
    // Freezes the body once (the stored record as it is now) and hands the event to one delivery
    // workflow per subscribed webhook; a retry re-signals, and the workflow drops the repeat.
    async enqueueBulkResponseEvent(event: BulkResponseEvent): Promise<void> {
      const webhookIds = await listSubscribedWebhookIds(database, event.companyId, event.event);
      if (webhookIds.length === 0) return;
      await saveWebhookEvent(database, { ...event, body: await eventBody(database, event) });
      const { client, info } = Context.current();
      const queued: QueuedWebhookEvent = { id: event.id, occurredAt: event.occurredAt };
      for (const webhookId of webhookIds) {
        const input: WebhookDeliveryInput = { webhookId, bulkResponseId: event.bulkResponseId };
        await client.workflow.signalWithStart(webhookDeliveryWorkflowType, {
          workflowId: webhookDeliveryWorkflowId(event.bulkResponseId, webhookId),
          taskQueue: info.taskQueue,
          args: [input],
          signal: webhookEventSignalName,
          signalArgs: [queued],
          // Findable beside the rollout in the Temporal UI: WorkflowType = "webhookDeliveryWorkflow".
          staticSummary: `webhook ${webhookId} <- events of bulk response ${event.bulkResponseId}`,
        });
      }
    },
  };

  return {
    ...publisher,

    // One signed POST; each attempt is recorded, keyed by the activity attempt.
    async deliverWebhookEvent(task: WebhookDeliveryTask): Promise<WebhookDeliveryResult> {
      const webhook = await findWebhookForDelivery(database, task.webhookId);
      if (!webhook) return 'webhook_deleted';
      const event = await findWebhookEvent(database, task.eventId);
      if (!event) return 'event_missing';
      const startedAt = new Date();
      const answer = await postWebhook({
        url: webhook.url,
        body: event.body,
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'fleet-actions-webhooks',
          'X-Fleet-Event': event.event,
          'X-Fleet-Event-Id': task.eventId,
          'X-Fleet-Signature': webhookSignature(webhook.secret, event.body, Math.floor(startedAt.getTime() / 1000)),
        },
        allowPrivateAddresses,
        timeoutMilliseconds: attemptTimeoutMilliseconds,
      });
      const outcome = outcomeOf(answer);
      await recordDeliveryAttempt(database, {
        webhookId: task.webhookId,
        eventId: task.eventId,
        attempt: Context.current().info.attempt,
        bulkResponseId: event.bulkResponseId,
        event: event.event,
        outcome,
        statusCode: answer.kind === 'answered' ? answer.statusCode : null,
        error: answer.kind === 'refused' ? answer.reason : answer.kind === 'unreachable' ? answer.error : null,
        startedAt,
      });
      if (outcome === 'delivered') return 'delivered';
      if (answer.kind === 'refused') throw ApplicationFailure.nonRetryable(answer.reason, 'WebhookAddressRefused');
      const reason = answer.kind === 'answered' ? `receiver answered ${answer.statusCode}` : answer.error;
      throw ApplicationFailure.retryable(`Webhook not delivered: ${reason}`, 'WebhookNotDelivered');
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;

function outcomeOf(answer: WebhookAnswer): DeliveryOutcome {
  if (answer.kind === 'refused') return 'refused';
  return answer.kind === 'answered' && answer.statusCode >= 200 && answer.statusCode < 300 ? 'delivered' : 'failed';
}

// `{id, event, occurred_at, bulk_response}`: the stored record without per-device entries, with
// the status the event announces (the record's live status is saved every few seconds only).
async function eventBody(database: Database, event: BulkResponseEvent): Promise<string> {
  const record = await findBulkResponse(database, event.companyId, event.bulkResponseId);
  const status = statusAnnouncedBy(event.event);
  return JSON.stringify({
    id: event.id,
    event: event.event,
    occurred_at: event.occurredAt,
    bulk_response: record ? { ...record, status } : { _id: event.bulkResponseId, company_id: event.companyId, status },
  });
}
