import { CancellationScope, log, proxyActivities } from '@temporalio/workflow';
import {
  bulkResponseEventId,
  isRepeatableEvent,
  type BulkResponseEvent,
  type BulkResponseEventName,
  type BulkResponseEventPublisher,
} from '../contracts/webhook-events';

export type { BulkResponseEventName } from '../contracts/webhook-events';

// Enqueuing touches the registry and Temporal only, never a receiver; a bounded retry keeps a
// registry outage from holding the rollout for long.
const publisher = proxyActivities<BulkResponseEventPublisher>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds' },
});

// Ids already published by this run: two pauses in the same workflow millisecond stay distinct.
const publishedIds = new Set<string>();

function occurrenceOf(bulkResponseId: string, event: BulkResponseEventName): number {
  if (!isRepeatableEvent(event)) return 1;
  let occurrence = Date.now();
  while (publishedIds.has(bulkResponseEventId(bulkResponseId, event, occurrence))) occurrence += 1;
  return occurrence;
}

// Publications of this run, chained: each enqueue starts after the previous one ended, so events
// reach the delivery workflows in the order they were published, even from signal handlers.
let lastPublication: Promise<void> = Promise.resolve();

// Called by the rollout workflow at each transition (awaited, or `void` from a signal handler).
// Webhook delivery (retries for 24 h, order per bulk response) runs in its own workflows, so this
// never fails and waits only for the enqueue of this event and of those published before it.
export function publishBulkResponseEvent(event: {
  bulkResponseId: string;
  companyId: string;
  event: BulkResponseEventName;
}): Promise<void> {
  const id = bulkResponseEventId(event.bulkResponseId, event.event, occurrenceOf(event.bulkResponseId, event.event));
  publishedIds.add(id);
  const occurredAt = new Date(Date.now()).toISOString();
  lastPublication = lastPublication.then(() => enqueue({ ...event, id, occurredAt }));
  return lastPublication;
}

// Resolves once every event published so far is enqueued: await it before continue-as-new or
// returning if some publications were not awaited.
export function bulkResponseEventsPublished(): Promise<void> {
  return lastPublication;
}

async function enqueue(event: BulkResponseEvent): Promise<void> {
  try {
    // A cancelled rollout still announces that it was cancelled.
    await CancellationScope.nonCancellable(() => publisher.enqueueBulkResponseEvent(event));
  } catch (error) {
    log.warn('Bulk response event not enqueued; webhooks will miss it', {
      eventId: event.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
