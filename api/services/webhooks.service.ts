import { randomBytes } from 'node:crypto';
import type { CreateWebhook } from '../../contracts/webhook.schema';
import type { Queryable } from '../../registry/database';
import { createWebhook, type WebhookWithSecret } from '../../registry/webhooks.repository';
import { assertWebhookUrlAllowed } from './webhook-url.service';

// The secret is answered in the create response only; a generated one is 32 random bytes.
export async function registerWebhook(
  database: Queryable,
  companyId: string,
  body: CreateWebhook,
  allowPrivateAddresses: boolean,
): Promise<WebhookWithSecret> {
  await assertWebhookUrlAllowed(body.url, allowPrivateAddresses);
  return createWebhook(database, companyId, {
    url: body.url,
    events: body.events,
    secret: body.secret ?? `whsec_${randomBytes(32).toString('hex')}`,
  });
}
