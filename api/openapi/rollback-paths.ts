import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { bulkResponseStartedSchema } from '../../contracts/bulk-response.schema';
import { errorBodySchema } from '../../contracts/registry-common.schema';
import { objectId } from '../../contracts/fleet-action.schema';
import { rollbackBodySchema, rollbackPreviewSchema } from '../../contracts/rollback.schema';
import { errorResponses, security } from './registry-paths';

const base = '/api/v1/platform/bulk_responses/{bulk_response_id}/rollback';
const tags = ['Bulk responses'];
const idParams = z.object({
  bulk_response_id: objectId.meta({ description: '24-hex id of the bulk response to roll back (it must have ended)' }),
});
// Request examples that run as sent on any ended bulk response of the demo data.
export const rollbackExamples = {
  defaults: { summary: "At the parent's pace, deadline, retries and windows", value: {} },
  paced: {
    summary: 'Paced: 600 devices a minute, 50 waiting at once, 30 seconds per device',
    value: { rollout: { rate_per_minute: 600, max_in_flight: 50, device_timeout_seconds: 30 } },
  },
};
const body = {
  required: false,
  content: { 'application/json': { schema: rollbackBodySchema, examples: rollbackExamples } },
};
const refusals = {
  400: {
    description: 'Bad body (a field the schema refuses, or rollout.rollback: a rollback is not rolled back)',
    content: { 'application/json': { schema: errorBodySchema } },
  },
  409: {
    description:
      'The bulk response has not ended, is itself a rollback, was rolled back already (the message names that rollback), or recorded nothing a rollback could send (issue_command started without rollback_command)',
    content: { 'application/json': { schema: errorBodySchema } },
  },
};
const description =
  'Undoes what an ended bulk response did, on the devices it acted on (device status success or unhealthy): add_tags removes the tags it added, remove_tags puts back the tags it removed, add_metadata removes the keys it added and restores the values it replaced, update_heartbeat restores the fields it changed and pushes them to the device, send_configuration sends each device the setting version it applied before (a device that applied none is skipped with reason no_previous_version), issue_command sends its rollback_command. Devices it never reached, or that answered fail or timed out, are untouched; a device that had a tag before keeps it. A parent has one rollback (its id is derived from the parent): a second answers 409 naming it; `retry` of a rollback retries it on its own devices. With rollout.rollback {on: abort} the engine starts the rollback by itself once the rollout ends aborted.';

export function registerRollbackPaths(registry: OpenAPIRegistry) {
  registry.registerPath({
    method: 'post',
    path: base,
    tags,
    security,
    summary: 'Roll back an ended bulk response (operator): a new bulk response linked by parent_id and rollback_of',
    description,
    request: { params: idParams, body },
    responses: {
      202: {
        description: 'Accepted: the rollback, followed like any bulk response (GET /bulk_responses/{id}, its events)',
        content: { 'application/json': { schema: bulkResponseStartedSchema } },
      },
      ...errorResponses,
      ...refusals,
    },
  });
  registry.registerPath({
    method: 'post',
    path: `${base}/preview`,
    tags,
    security,
    summary:
      'Dry run of a rollback (operator): the devices it would walk, and per kind of undo how many it would change',
    description:
      'Same body, refusals and eligibility as POST .../rollback; writes nothing and starts nothing, so the figures hold for now.',
    request: { params: idParams, body },
    responses: {
      200: {
        description: 'What a rollback would touch now',
        content: {
          'application/json': {
            schema: rollbackPreviewSchema,
            example: {
              parent_id: '65f1c0ffee0000000000abcd',
              action: 'send_configuration',
              total: 180,
              eligible: 150,
              online: 148,
              offline: 2,
              skipped: { no_previous_version: 28, inactive: 2 },
              undo: { setting_version_1: 120, setting_version_3: 30 },
            },
          },
        },
      },
      ...errorResponses,
      ...refusals,
    },
  });
}
