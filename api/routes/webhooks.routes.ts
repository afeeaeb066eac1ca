import { Router, type Response } from 'express';
import { createWebhookSchema } from '../../contracts/webhook.schema';
import type { Database } from '../../registry/database';
import { listDeliveryAttempts, type DeliveryRecord } from '../../registry/webhook-deliveries.repository';
import { deleteWebhook, getWebhook, listWebhooks, type WebhookRecord } from '../../registry/webhooks.repository';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { NotFoundError } from '../errors';
import { requireRole } from '../middleware/require-role';
import { registerWebhook } from '../services/webhooks.service';
import { bodyOf, idParameter, pageOf } from './validation';

function presentWebhook({ _id, company_id, url, events, created_at }: WebhookRecord) {
  return { _id, company_id, url, events, created_at: new Date(created_at).toISOString() };
}

function presentDelivery(delivery: DeliveryRecord) {
  return {
    ...delivery,
    started_at: new Date(delivery.started_at).toISOString(),
    finished_at: new Date(delivery.finished_at).toISOString(),
  };
}

function sendPage<Row>(response: Response, withMeta: boolean, result: { total: number; rows: Row[] }) {
  response.json(withMeta ? { total: result.total, resources: result.rows } : result.rows);
}

async function ownWebhook(database: Database, companyId: string, id: string): Promise<WebhookRecord> {
  const webhook = await getWebhook(database, companyId, id);
  if (!webhook) throw new NotFoundError('Webhook');
  return webhook;
}

// /webhooks (SPEC §8), admin only: a company's receivers of bulk-response events and their
// delivery attempts. Another company's webhook answers 404 like a missing one.
export function webhooksRouter({ database, config }: ApiDependencies): Router {
  const router = Router();
  router.use('/webhooks', requireRole('admin'));
  router.post('/webhooks', async (request, response) => {
    const body = bodyOf(createWebhookSchema, request);
    const { companyId } = callerOf(response);
    const created = await registerWebhook(database, companyId, body, config.webhooks.allowPrivateAddresses);
    response.status(201).json({ ...presentWebhook(created), secret: created.secret });
  });
  router.get('/webhooks', async (request, response) => {
    const { page, withMeta } = pageOf(request);
    const result = await listWebhooks(database, callerOf(response).companyId, page);
    sendPage(response, withMeta, { total: result.total, rows: result.rows.map(presentWebhook) });
  });
  router.get('/webhooks/:id', async (request, response) => {
    const webhook = await ownWebhook(database, callerOf(response).companyId, idParameter(request));
    response.json(presentWebhook(webhook));
  });
  router.delete('/webhooks/:id', async (request, response) => {
    const id = idParameter(request);
    if (!(await deleteWebhook(database, callerOf(response).companyId, id))) throw new NotFoundError('Webhook');
    response.json({ _id: id, deleted: true });
  });
  router.get('/webhooks/:id/deliveries', async (request, response) => {
    const webhook = await ownWebhook(database, callerOf(response).companyId, idParameter(request));
    const { page, withMeta } = pageOf(request);
    const result = await listDeliveryAttempts(database, webhook._id, page);
    sendPage(response, withMeta, { total: result.total, rows: result.rows.map(presentDelivery) });
  });
  return router;
}
