import { z } from 'zod';
import { bulkResponseSchema } from './bulk-response.schema';
import { bulkResponseEventNames } from './webhook-events';
import { text } from './text.schema';

// The webhook API (SPEC §8): what its routes validate and answer, and the body a receiver gets.

export const webhookUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048)
  .meta({
    description: 'http(s) only; private, loopback, link-local and metadata addresses are refused',
    pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
  });

export const createWebhookSchema = z.strictObject({
  url: webhookUrl,
  events: z
    .array(z.enum(bulkResponseEventNames))
    .min(1)
    .refine((events) => new Set(events).size === events.length, 'must not repeat an event')
    .meta({ uniqueItems: true }),
  secret: text({ min: 8, max: 256 })
    .optional()
    .meta({ description: 'The shared signing secret; generated (and answered once) when absent' }),
});
export type CreateWebhook = z.infer<typeof createWebhookSchema>;

export const webhookSchema = z
  .object({
    _id: z.string(),
    company_id: z.string(),
    url: z.string(),
    events: z.array(z.enum(bulkResponseEventNames)),
    created_at: z.string(),
  })
  .meta({ id: 'Webhook' });

export const webhookCreatedSchema = webhookSchema
  .extend({ secret: z.string().meta({ description: 'Shown in this answer only' }) })
  .meta({ id: 'WebhookCreated' });

export const webhookDeliverySchema = z
  .object({
    event_id: z.string().meta({ description: '`<bulk_response_id>:<event>:<n>`, the body `id`' }),
    bulk_response_id: z.string(),
    event: z.enum(bulkResponseEventNames),
    attempt: z.int().min(1),
    outcome: z.enum(['delivered', 'failed', 'refused']).meta({
      description:
        'delivered: a 2xx answer; failed: retried with backoff for 24 h; refused: the address is not allowed',
    }),
    status_code: z.int().nullable(),
    error: z.string().nullable(),
    started_at: z.string(),
    finished_at: z.string(),
  })
  .meta({ id: 'WebhookDelivery' });

export const webhookEventBodySchema = z
  .object({
    id: z.string().meta({ description: 'Stable event id: a receiver drops a repeated id' }),
    event: z.enum(bulkResponseEventNames),
    occurred_at: z.string(),
    bulk_response: bulkResponseSchema.extend({ status_reason: z.unknown().nullable() }),
  })
  .meta({ id: 'WebhookEventBody' });
