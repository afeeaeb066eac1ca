import { CancellationScope, log, proxyActivities } from '@temporalio/workflow';
import {
  bulkResponseEventId,
  isRepeatableEvent,
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

// Called by the rollout workflow at each transition. Webhook delivery (retries for 24 h, order per
// bulk response) runs in its own workflows, so this never fails, and waits only for the enqueue.
export async function publishBulkResponseEvent(event: {
  bulkResponseId: string;
  companyId: string;
  event: BulkResponseEventName;
}): Promise<void> {
  const id = bulkResponseEventId(event.bulkResponseId, event.event, occurrenceOf(event.bulkResponseId, event.event));
  publishedIds.add(id);
  try {
    // A cancelled rollout still announces that it was cancelled.
    await CancellationScope.nonCancellable(() =>
      publisher.enqueueBulkResponseEvent({ ...event, id, occurredAt: new Date(Date.now()).toISOString() }),
    );
  } catch (error) {
    log.warn('Bulk response event not enqueued; webhooks will miss it', {
      eventId: id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
