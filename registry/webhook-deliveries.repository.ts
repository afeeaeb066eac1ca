import type { Queryable } from './database';
import { selectPage, type PageRequest, type PageResult } from './pagination';

export interface PreparedWebhookEvent {
  id: string;
  companyId: string;
  bulkResponseId: string;
  event: string;
  body: string;
  occurredAt: string;
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'refused';

export interface DeliveryAttempt {
  webhookId: string;
  eventId: string;
  attempt: number;
  bulkResponseId: string;
  event: string;
  outcome: DeliveryOutcome;
  statusCode: number | null;
  error: string | null;
  startedAt: Date;
}

export interface DeliveryRecord {
  event_id: string;
  bulk_response_id: string;
  event: string;
  attempt: number;
  outcome: DeliveryOutcome;
  status_code: number | null;
  error: string | null;
  started_at: Date;
  finished_at: Date;
}

// The first preparation of an event wins: a retried enqueue keeps the body receivers may have seen.
export async function saveWebhookEvent(database: Queryable, event: PreparedWebhookEvent): Promise<void> {
  await database.query(
    `insert into webhook_events (id, company_id, bulk_response_id, event, body, occurred_at)
     values ($1, $2, $3, $4, $5, $6) on conflict (id) do nothing`,
    [event.id, event.companyId, event.bulkResponseId, event.event, event.body, event.occurredAt],
  );
}

export async function findWebhookEvent(
  database: Queryable,
  eventId: string,
): Promise<Pick<PreparedWebhookEvent, 'bulkResponseId' | 'event' | 'body'> | undefined> {
  const rows = await database.query<Pick<PreparedWebhookEvent, 'bulkResponseId' | 'event' | 'body'>>(
    'select bulk_response_id as "bulkResponseId", event, body from webhook_events where id = $1',
    [eventId],
  );
  return rows[0];
}

// Keyed by the activity attempt, so a worker that recorded an attempt and then died does not
// record it twice.
export async function recordDeliveryAttempt(database: Queryable, attempt: DeliveryAttempt): Promise<void> {
  await database.query(
    `insert into webhook_deliveries
       (webhook_id, event_id, attempt, bulk_response_id, event, outcome, status_code, error, started_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (webhook_id, event_id, attempt) do nothing`,
    [
      attempt.webhookId,
      attempt.eventId,
      attempt.attempt,
      attempt.bulkResponseId,
      attempt.event,
      attempt.outcome,
      attempt.statusCode,
      attempt.error,
      attempt.startedAt,
    ],
  );
}

// Newest first; the webhook's company was checked by the caller.
export function listDeliveryAttempts(
  database: Queryable,
  webhookId: string,
  page: PageRequest,
): Promise<PageResult<DeliveryRecord>> {
  return selectPage(
    database,
    {
      columns: 'event_id, bulk_response_id, event, attempt, outcome, status_code, error, started_at, finished_at',
      fromWhere: 'from webhook_deliveries where webhook_id = $1',
      orderBy: 'started_at desc, event_id desc, attempt desc',
      params: [webhookId],
    },
    page,
  );
}
