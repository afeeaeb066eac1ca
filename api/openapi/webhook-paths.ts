import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { listQuerySchema, pagedListSchema } from '../../contracts/registry-common.schema';
import {
  createWebhookSchema,
  webhookCreatedSchema,
  webhookDeliverySchema,
  webhookEventBodySchema,
  webhookSchema,
} from '../../contracts/webhook.schema';
import { errorResponses, security } from './registry-paths';
import { objectId } from '../../contracts/fleet-action.schema';

const json = (schema: z.ZodType, example?: unknown) => ({
  content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } },
});
const base = '/api/v1/platform/webhooks';
const tags = ['Webhooks'];
const idParams = z.object({ id: objectId.meta({ description: '24-hex webhook id' }) });
const readErrors = {
  400: errorResponses[400],
  401: errorResponses[401],
  403: errorResponses[403],
  404: errorResponses[404],
};

const createExample = {
  url: 'http://127.0.0.1:18765/hook',
  events: ['bulk_response.started', 'bulk_response.completed'],
  secret: 'replace-with-a-long-random-secret',
};

const deliveryDescription = `Each event is POSTed as JSON (WebhookEventBody) with the headers
\`X-Fleet-Event\`, \`X-Fleet-Event-Id\` and \`X-Fleet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256
of "<t>.<raw body>" with the secret>\`. Delivery is at least once, in order per bulk response,
retried with backoff for 24 h; drop an event \`id\` already processed. Only http(s) URLs; metadata
and link-local addresses are always refused, loopback and private networks unless the service runs
with WEBHOOK_ALLOW_PRIVATE=true (the example URL needs it).`;

// SPEC §8: a company's receivers of bulk-response events (admin), and their delivery attempts.
export function registerWebhookPaths(registry: OpenAPIRegistry) {
  registerEventWebhook(registry);
  registry.registerPath({
    method: 'post',
    path: base,
    tags,
    security,
    summary: 'Register a webhook (admin)',
    description: deliveryDescription,
    request: { body: { required: true, ...json(createWebhookSchema, createExample) } },
    responses: {
      201: { description: 'Created; the secret is shown in this answer only', ...json(webhookCreatedSchema) },
      ...errorResponses,
    },
  });
  registry.registerPath({
    method: 'get',
    path: base,
    tags,
    security,
    summary: "The company's webhooks (admin)",
    request: { query: listQuerySchema },
    responses: {
      200: {
        description: 'An array, or {total, resources} with page_meta=true',
        ...json(pagedListSchema(webhookSchema)),
      },
      ...readErrors,
    },
  });
  registry.registerPath({
    method: 'get',
    path: `${base}/{id}`,
    tags,
    security,
    summary: 'A webhook (admin; without its secret)',
    request: { params: idParams },
    responses: { 200: { description: 'OK', ...json(webhookSchema) }, ...readErrors },
  });
  registry.registerPath({
    method: 'delete',
    path: `${base}/{id}`,
    tags,
    security,
    summary: 'Delete a webhook (admin); its pending deliveries stop',
    request: { params: idParams },
    responses: {
      200: { description: 'Deleted', ...json(z.object({ _id: z.string(), deleted: z.literal(true) })) },
      ...readErrors,
    },
  });
  registry.registerPath({
    method: 'get',
    path: `${base}/{id}/deliveries`,
    tags,
    security,
    summary: "A webhook's delivery attempts, newest first (admin)",
    request: { params: idParams, query: listQuerySchema },
    responses: {
      200: {
        description: 'An array, or {total, resources} with page_meta=true',
        ...json(pagedListSchema(webhookDeliverySchema)),
      },
      ...readErrors,
    },
  });
}

// What the service sends to a receiver (the document's top-level `webhooks`, OpenAPI 3.1).
function registerEventWebhook(registry: OpenAPIRegistry) {
  registry.registerWebhook({
    method: 'post',
    path: 'bulkResponseEvent',
    operationId: 'receiveBulkResponseEvent',
    tags,
    // The receiver authenticates the sender by the signature, not by a token.
    security: [],
    summary: 'A bulk-response event, sent to each subscribed webhook',
    description: deliveryDescription,
    request: {
      headers: z.object({
        'X-Fleet-Signature': z.string().meta({ example: 't=1767225600,v1=5d41402abc4b2a76b9719d911017c592...' }),
        'X-Fleet-Event': z.string(),
        'X-Fleet-Event-Id': z.string(),
      }),
      body: { required: true, ...json(webhookEventBodySchema) },
    },
    responses: { 200: { description: 'Any 2xx answer is a delivery; anything else is retried' } },
  });
}
