// Bundled by the webhook delivery test only: the delivery workflow, and a stand-in for the
// rollout that publishes events the way the rollout does.
import { sleep } from '@temporalio/workflow';
import type { BulkResponseEventName } from '../../contracts/webhook-events';
import { bulkResponseEventsPublished, publishBulkResponseEvent } from '../../workflows/bulk-response-events';

export { webhookDeliveryWorkflow } from '../../workflows/webhook-delivery.workflow';

export interface PublisherInput {
  bulkResponseId: string;
  companyId: string;
  events: BulkResponseEventName[];
  millisecondsBetween?: number;
  // As a signal handler would: without waiting for each publication.
  withoutWaiting?: boolean;
}

export async function publishEventsWorkflow(input: PublisherInput): Promise<void> {
  if (input.withoutWaiting) {
    for (const event of input.events)
      void publishBulkResponseEvent({ bulkResponseId: input.bulkResponseId, companyId: input.companyId, event });
    return bulkResponseEventsPublished();
  }
  for (const event of input.events) {
    await publishBulkResponseEvent({ bulkResponseId: input.bulkResponseId, companyId: input.companyId, event });
    if (input.millisecondsBetween) await sleep(input.millisecondsBetween);
  }
}
