import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WebhookActivities, WebhookDeliveryResult } from '../activities/webhook.activities';
import {
  webhookEventSignalName,
  type QueuedWebhookEvent,
  type WebhookDeliveryInput,
} from '../contracts/webhook-events';

export const webhookEventSignal = defineSignal<[QueuedWebhookEvent]>(webhookEventSignalName);

// Each event is retried for this long after it occurred, then given up (its attempts stay listed).
const retryWindowMilliseconds = 24 * 60 * 60 * 1000;
// Events already past their window still get one attempt.
const lastChanceMilliseconds = 60 * 1000;
// A bulk response usually publishes its next event within this; after it the workflow closes and
// the next event starts a fresh run.
const idleTimeout = '10 minutes';
const restAtHistoryLength = 2_000;
const rememberedIds = 200;

// One webhook's events of one bulk response, delivered one at a time in the order they were
// published: the next event is attempted only once the previous one was delivered or given up.
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<void> {
  const queue: QueuedWebhookEvent[] = [...(input.queued ?? [])];
  const seen = new Set(input.seen ?? []);
  setHandler(webhookEventSignal, (event) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    queue.push(event);
  });
  for (;;) {
    if (queue.length === 0 && !(await condition(() => queue.length > 0, idleTimeout))) return;
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > restAtHistoryLength) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof webhookDeliveryWorkflow>({
        ...input,
        queued: queue,
        seen: [...seen].slice(-rememberedIds),
      });
    }
    const event = queue[0]!;
    if ((await deliver(input.webhookId, event)) === 'webhook_deleted') return;
    queue.shift();
  }
}

async function deliver(webhookId: string, event: QueuedWebhookEvent): Promise<WebhookDeliveryResult | 'given_up'> {
  const remaining = new Date(event.occurredAt).getTime() + retryWindowMilliseconds - Date.now();
  const { deliverWebhookEvent } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: Math.max(remaining, lastChanceMilliseconds),
    retry: {
      initialInterval: '5 seconds',
      backoffCoefficient: 2,
      maximumInterval: '5 minutes',
      nonRetryableErrorTypes: ['WebhookAddressRefused'],
    },
  });
  try {
    return await deliverWebhookEvent({ webhookId, eventId: event.id });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('Webhook event given up', { webhookId, eventId: event.id, cause: error.cause?.message });
    return 'given_up';
  }
}
