// Zero-import: the bulk-response events webhooks subscribe to, shared by workflows, activities and
// the API.
import type { BulkStatus } from './statuses';

export const bulkResponseEventNames = [
  'bulk_response.started',
  'bulk_response.paused',
  'bulk_response.resumed',
  'bulk_response.completed',
  'bulk_response.completed_with_errors',
  'bulk_response.aborted',
  'bulk_response.canceled',
  'bulk_response.failed',
] as const;
export type BulkResponseEventName = (typeof bulkResponseEventNames)[number];

// An event as the rollout publishes it: its id is derived, so a replayed or retried publication
// carries the same id and receivers can drop the duplicate.
export interface BulkResponseEvent {
  id: string;
  bulkResponseId: string;
  companyId: string;
  event: BulkResponseEventName;
  occurredAt: string;
}

export function isBulkResponseEventName(name: string): name is BulkResponseEventName {
  return (bulkResponseEventNames as readonly string[]).includes(name);
}

// Pause and resume may happen many times in one bulk response; every other event happens once.
export function isRepeatableEvent(event: BulkResponseEventName): boolean {
  return event === 'bulk_response.paused' || event === 'bulk_response.resumed';
}

// `<bulk_response_id>:<event>:<n>`: n is 1 for the events that happen once, and the workflow
// time (milliseconds) of the occurrence for pause and resume.
export function bulkResponseEventId(bulkResponseId: string, event: BulkResponseEventName, occurrence: number): string {
  return `${bulkResponseId}:${event}:${occurrence}`;
}

// The one activity the rollout calls: it only records the event and hands it to the delivery
// workflows, so it never waits for a receiver.
export interface BulkResponseEventPublisher {
  enqueueBulkResponseEvent(event: BulkResponseEvent): Promise<void>;
}

// The status a bulk response has when the event happens; the stored record may lag behind it.
export function statusAnnouncedBy(event: BulkResponseEventName): BulkStatus {
  if (event === 'bulk_response.started' || event === 'bulk_response.resumed') return 'processing';
  return event.slice('bulk_response.'.length) as BulkStatus;
}

// One delivery workflow per bulk response and webhook delivers its events in order; the enqueue
// activity reaches it by signal-with-start, by name (activities do not import workflows).
export const webhookDeliveryWorkflowType = 'webhookDeliveryWorkflow';
export const webhookEventSignalName = 'webhookEvent';

export function webhookDeliveryWorkflowId(bulkResponseId: string, webhookId: string): string {
  return `webhook-${bulkResponseId}-${webhookId}`;
}

export interface QueuedWebhookEvent {
  id: string;
  occurredAt: string;
}

export interface WebhookDeliveryInput {
  webhookId: string;
  bulkResponseId: string;
  // Carried over continue-as-new: events not yet delivered, and ids recently seen.
  queued?: QueuedWebhookEvent[];
  seen?: string[];
}
