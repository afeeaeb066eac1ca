import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { bulkResponseStartedSchema } from '../../contracts/bulk-response.schema';
import { fleetActionPreviewSchema } from '../../contracts/fleet-action-preview.schema';
import { templatedActionRequestSchema } from '../../contracts/action-template.schema';
import { fleetActionRequestSchema } from '../../contracts/fleet-action.schema';
import { errorBodySchema } from '../../contracts/registry-common.schema';
import { fleetActionExamples, previewAnswerExample } from './fleet-action-examples';
import { admissionRefused, errorResponses, security } from './registry-paths';
import { objectId } from '../../contracts/fleet-action.schema';

const tags = ['Fleet actions'];
const fleetParams = z.object({
  fleet_id: objectId.meta({
    description:
      '24-hex fleet id: GET /api/v1/platform/fleets, or `fleets` in data/demo-credentials.json ("All devices", "Gateways", "Lobby devices")',
  }),
});
const idempotencyHeaders = z.object({
  'Idempotency-Key': z.string().min(1).max(200).optional().meta({
    description:
      'Retry-safe start: the same key and body return the same bulk_response_id and start nothing new; the same key with another body answers 409. Scoped to the company.',
  }),
});
const actionBody = {
  required: true,
  content: {
    'application/json': {
      schema: z.union([fleetActionRequestSchema, templatedActionRequestSchema]),
      examples: fleetActionExamples,
    },
  },
};
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

// Starting a fleet action, its dry run, and the fleet's device credentials.
export function registerFleetActionPaths(registry: OpenAPIRegistry) {
  registry.registerPath({
    method: 'post',
    path: '/api/v1/platform/fleets/{fleet_id}/actions',
    tags,
    security,
    summary: 'Execute a fleet action (operator)',
    description:
      'Answers 202 at once with the bulk_response_id (the Temporal workflow id); follow it with GET /bulk_responses/{id}, its /events stream, or links.temporal_ui. Each example runs as-is on the demo data.',
    request: { params: fleetParams, headers: idempotencyHeaders, body: actionBody },
    responses: {
      202: { description: 'Accepted', ...json(bulkResponseStartedSchema) },
      ...errorResponses,
      409: { description: 'Idempotency-Key reused with a different body', ...json(errorBodySchema) },
      429: admissionRefused,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/platform/fleets/{fleet_id}/actions/preview',
    tags,
    security,
    summary: 'Dry run of a fleet action (operator): what it would reach now, and why the others not',
    description:
      'Same body, validation and 400/404 answers as POST .../actions, evaluated with the engine’s own eligibility rules; writes nothing and starts nothing. No Idempotency-Key is needed: nothing is started.',
    request: { params: fleetParams, body: actionBody },
    responses: {
      200: {
        description: 'Counts of the fleet’s devices now',
        content: { 'application/json': { schema: fleetActionPreviewSchema, example: previewAnswerExample } },
      },
      ...errorResponses,
    },
  });
  registerDeviceCredentialsPath(registry);
}

export const deviceCredentialSchema = z
  .object({
    device_id: z.string(),
    unique_id: z.string(),
    company_id: z.string().meta({ description: 'Part of the device’s MQTT topics' }),
    username: z.string().meta({ description: 'MQTT username' }),
    password: z.string().meta({ description: 'MQTT password, shown only in this answer' }),
  })
  .meta({ id: 'DeviceCredential' });

function registerDeviceCredentialsPath(registry: OpenAPIRegistry) {
  registry.registerPath({
    method: 'post',
    path: '/api/v1/platform/fleets/{fleet_id}/device_credentials',
    tags: ['Fleets'],
    security,
    summary: 'Issue new MQTT credentials to every device of the fleet (admin)',
    description:
      'Rotates the broker credentials of each device the fleet selects and answers them once; the previous credentials stop working. This is how the device simulator and provisioning tools get credentials (see docs/device-protocol.md). Not idempotent: each call rotates again, and no Idempotency-Key is taken.',
    request: { params: fleetParams },
    responses: {
      200: { description: 'One entry per device', ...json(z.array(deviceCredentialSchema)) },
      ...errorResponses,
    },
  });
}
