import type { Queryable } from './database';
import { newObjectId } from './object-id';
import { selectPage, type PageRequest, type PageResult } from './pagination';

export interface WebhookRecord {
  _id: string;
  company_id: string;
  url: string;
  events: string[];
  created_at: Date;
}

export interface WebhookWithSecret extends WebhookRecord {
  secret: string;
}

export interface NewWebhook {
  url: string;
  events: readonly string[];
  secret: string;
}

const columns = 'id as "_id", company_id, url, events, created_at';

export async function createWebhook(
  database: Queryable,
  companyId: string,
  webhook: NewWebhook,
): Promise<WebhookWithSecret> {
  const rows = await database.query<WebhookWithSecret>(
    `insert into webhooks (id, company_id, url, events, secret) values ($1, $2, $3, $4, $5)
     returning ${columns}, secret`,
    [newObjectId(), companyId, webhook.url, [...webhook.events], webhook.secret],
  );
  return rows[0]!;
}

export async function getWebhook(
  database: Queryable,
  companyId: string,
  id: string,
): Promise<WebhookRecord | undefined> {
  const rows = await database.query<WebhookRecord>(
    `select ${columns} from webhooks where company_id = $1 and id = $2`,
    [companyId, id],
  );
  return rows[0];
}

export function listWebhooks(
  database: Queryable,
  companyId: string,
  page: PageRequest,
): Promise<PageResult<WebhookRecord>> {
  return selectPage(
    database,
    { columns, fromWhere: 'from webhooks where company_id = $1', orderBy: 'id', params: [companyId] },
    page,
  );
}

export async function deleteWebhook(database: Queryable, companyId: string, id: string): Promise<boolean> {
  const rows = await database.query('delete from webhooks where company_id = $1 and id = $2 returning id', [
    companyId,
    id,
  ]);
  return rows.length > 0;
}

// The engine's side: who receives an event, and what a delivery signs with.
export async function listSubscribedWebhookIds(
  database: Queryable,
  companyId: string,
  event: string,
): Promise<string[]> {
  const rows = await database.query<{ id: string }>(
    'select id from webhooks where company_id = $1 and $2 = any(events) order by id',
    [companyId, event],
  );
  return rows.map((row) => row.id);
}

export async function findWebhookForDelivery(
  database: Queryable,
  id: string,
): Promise<Pick<WebhookWithSecret, '_id' | 'url' | 'secret'> | undefined> {
  const rows = await database.query<Pick<WebhookWithSecret, '_id' | 'url' | 'secret'>>(
    'select id as "_id", url, secret from webhooks where id = $1',
    [id],
  );
  return rows[0];
}
