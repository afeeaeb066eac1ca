import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  bulkResponseDevicesPageSchema,
  bulkResponseDevicesQuerySchema,
  bulkResponseSchema,
  bulkResponseStartedSchema,
  bulkResponsesListQuerySchema,
  bulkResponseLinksSchema,
  retryBodySchema,
  approvalBodySchema,
} from '../../contracts/bulk-response.schema';
import { errorBodySchema } from '../../contracts/registry-common.schema';
import { admissionRefused, errorResponses, security } from './registry-paths';
import { objectId } from '../../contracts/fleet-action.schema';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const base = '/api/v1/platform/bulk_responses';
const tags = ['Bulk responses'];
const idParams = z.object({ bulk_response_id: objectId.meta({ description: '24-hex bulk response id' }) });
const conflict = {
  description: 'The bulk response has already ended (or, for retry, is still running)',
  ...json(errorBodySchema),
};
const readErrors = { 400: errorResponses[400], 401: errorResponses[401], 404: errorResponses[404] };
const bulkResponseWithLinks = bulkResponseSchema.extend({ links: bulkResponseLinksSchema });
// One parsed server-sent event, as OpenAPI 3.1 tools (schemathesis) validate each event of a stream.
const streamEventSchema = z.object({
  event: z.string().meta({ description: '`status` on every change' }),
  data: z
    .string()
    .meta({ description: 'JSON: the GET /bulk_responses/{id} body', contentMediaType: 'application/json' }),
  id: z.string().optional(),
  retry: z.int().optional(),
});
const streamEventExample = {
  event: 'status',
  data: '{"_id":"65f1c0ffee0000000000abcd","status":"processing","counts":{"total":1000,"pending":700,"sent":100,"enqueued":5,"in_progress":0,"success":140,"fail":3,"unhealthy":0,"timed_out":2,"skipped":50,"canceled":0}}',
};
const eventStreamExample = `event: status
data: {"_id":"65f1c0ffee0000000000abcd","status":"processing","counts":{"total":1000,"pending":700,"sent":100,"enqueued":5,"in_progress":0,"success":140,"fail":3,"unhealthy":0,"timed_out":2,"skipped":50,"canceled":0},"links":{"temporal_ui":"http://127.0.0.1:8233/namespaces/default/workflows/65f1c0ffee0000000000abcd"}}

: keep-alive

`;

// Reading and steering bulk responses; both dialects' executions are tracked here.
export function registerBulkResponsePaths(registry: OpenAPIRegistry) {
  registerReadPaths(registry);
  registerEventsPath(registry);
  registerControlPaths(registry);
}

function registerReadPaths(registry: OpenAPIRegistry) {
  registry.registerPath({
    method: 'get',
    path: base,
    tags,
    security,
    summary: 'List bulk responses, newest first',
    request: { query: bulkResponsesListQuerySchema },
    responses: {
      200: {
        description: 'An array, or {total, resources} with page_meta=true',
        ...json(
          z.union([
            z.array(bulkResponseWithLinks),
            z.object({ total: z.int(), resources: z.array(bulkResponseWithLinks) }),
          ]),
        ),
      },
      400: errorResponses[400],
      401: errorResponses[401],
    },
  });
  registry.registerPath({
    method: 'get',
    path: `${base}/{bulk_response_id}`,
    tags,
    security,
    summary: 'A bulk response: live from its workflow while it runs, from the stored record afterwards',
    request: { params: idParams },
    responses: {
      200: { description: 'OK', ...json(bulkResponseWithLinks) },
      ...readErrors,
    },
  });
  registry.registerPath({
    method: 'get',
    path: `${base}/{bulk_response_id}/responses`,
    tags,
    security,
    summary: 'Per-device entries of a bulk response, in device id order',
    request: { params: idParams, query: bulkResponseDevicesQuerySchema },
    responses: { 200: { description: 'OK', ...json(bulkResponseDevicesPageSchema) }, ...readErrors },
  });
}

function registerEventsPath(registry: OpenAPIRegistry) {
  registry.registerPath({
    method: 'get',
    path: `${base}/{bulk_response_id}/events`,
    tags,
    security,
    summary: 'Server-Sent Events: status and count changes until the bulk response ends',
    description:
      'An `event: status` whose `data` is the GET body (JSON) at once, then on every status or count change (checked every second), a `: keep-alive` comment every 15 s, and the stream closes after the terminal state. `fleet-actions watch` reads it; so does `curl -N` or a browser EventSource. Read-only: no Idempotency-Key applies.',
    request: { params: idParams },
    responses: {
      200: {
        description: `text/event-stream; the schema and example describe one event (OpenAPI 3.2 itemSchema):\n\n${eventStreamExample}`,
        content: { 'text/event-stream': { schema: streamEventSchema, example: streamEventExample } },
      },
      ...readErrors,
    },
  });
}

function registerControlPaths(registry: OpenAPIRegistry) {
  const controls = [
    [
      'cancel',
      'Cancel: nothing more is sent (re-sends included); devices not reached end canceled (or skipped, if they would not have received the action); devices that have the command keep their real answer until their deadline, meanwhile the status is canceling. Answers the state the rollout reached.',
    ],
    [
      'pause',
      'Pause: nothing is sent (re-sends included) until resume; devices that have the command may still answer. Answers the state the rollout reached (paused).',
    ],
    ['resume', 'Resume a paused bulk response. Answers the state the rollout reached.'],
  ] as const;
  for (const [name, summary] of controls) {
    registry.registerPath({
      method: 'post',
      path: `${base}/{bulk_response_id}/${name}`,
      tags,
      security,
      summary,
      request: { params: idParams },
      responses: {
        202: { description: 'Accepted', ...json(bulkResponseWithLinks) },
        ...errorResponses,
        409: conflict,
      },
    });
  }
  const decisions = [
    [
      'approve',
      'Approve the stage the rollout waits to start (rollout.approval, or a stage with then: approve): by an operator or admin other than the user who started it (403 for that user); 409 when it waits for no approval. Who and when are kept in `approvals`.',
    ],
    [
      'reject',
      'Reject the stage the rollout waits to start: nothing more is sent and it ends aborted (status_reason approval_rejected, naming who); same rules as approve.',
    ],
  ] as const;
  for (const [name, summary] of decisions) {
    registry.registerPath({
      method: 'post',
      path: `${base}/{bulk_response_id}/${name}`,
      tags,
      security,
      summary,
      request: {
        params: idParams,
        body: { required: false, content: { 'application/json': { schema: approvalBodySchema } } },
      },
      responses: {
        202: { description: 'Accepted: the view the rollout reached', ...json(bulkResponseWithLinks) },
        ...errorResponses,
        409: conflict,
      },
    });
  }
  registry.registerPath({
    method: 'post',
    path: `${base}/{bulk_response_id}/retry`,
    tags,
    security,
    summary:
      'A new bulk response over the devices that ended fail or timed_out (or the statuses given), linked by parent_id',
    request: {
      params: idParams,
      body: { required: false, content: { 'application/json': { schema: retryBodySchema } } },
    },
    responses: {
      202: { description: 'Accepted', ...json(bulkResponseStartedSchema) },
      ...errorResponses,
      409: conflict,
      429: admissionRefused,
    },
  });
}
