import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { auditEntrySchema, auditListQuerySchema } from '../../contracts/audit.schema';
import {
  complianceDeviceSchema,
  complianceDevicesQuerySchema,
  complianceQuerySchema,
  settingComplianceSchema,
} from '../../contracts/compliance.schema';
import { pagedListSchema } from '../../contracts/registry-common.schema';
import { objectId } from '../../contracts/fleet-action.schema';
import { deviceCredentialSchema } from './fleet-action-paths';
import { errorResponses, security } from './registry-paths';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const platform = '/api/v1/platform';
const readErrors = {
  400: errorResponses[400],
  401: errorResponses[401],
  403: errorResponses[403],
  404: errorResponses[404],
};
const pagedDescription = 'An array, or {total, resources} with page_meta=true';

// The operator's console (SPEC §10): the audit trail, setting compliance and one device's
// credentials. Action templates are a registry resource (openapi-document.ts).
export function registerConsolePaths(registry: OpenAPIRegistry) {
  registerAuditPath(registry);
  registerCompliancePaths(registry);
  registerDeviceCredentialPath(registry);
}

function registerAuditPath(registry: OpenAPIRegistry) {
  registry.registerPath({
    method: 'get',
    path: `${platform}/audit`,
    tags: ['Audit'],
    security,
    summary: "The company's audit trail, newest first (admin)",
    description:
      'Every start (fleet action, sendCommandsBulk), control (pause, resume, cancel, retry, approve, reject, rollback), action template, webhook and user change, token issue (login, api_token_reset, refresh) and device credential rotation, with who, when, from which address, what and the HTTP status, refusals (4xx) included. Logins are recorded when they succeed or name an existing account with a wrong password. Entries are append-only; unknown filters are refused.',
    request: { query: auditListQuerySchema },
    responses: {
      200: { description: pagedDescription, ...json(pagedListSchema(auditEntrySchema)) },
      400: errorResponses[400],
      401: errorResponses[401],
      403: errorResponses[403],
    },
  });
}

const complianceParams = z.object({
  id: objectId.meta({ description: '24-hex configuration id' }),
  setting_id: objectId.meta({ description: '24-hex id of a setting of that configuration' }),
});

function registerCompliancePaths(registry: OpenAPIRegistry) {
  const base = `${platform}/configurations/{id}/settings/{setting_id}/compliance`;
  registry.registerPath({
    method: 'get',
    path: base,
    tags: ['Configurations'],
    security,
    summary: 'Which version of a setting the devices run',
    description:
      "One query over the fleet's devices (`applied_settings`). Counted are devices the configuration applies to: a type it lists (none listed: every type) that can receive configurations; the others are `not_applicable`.",
    request: { params: complianceParams, query: complianceQuerySchema },
    responses: { 200: { description: 'OK', ...json(settingComplianceSchema) }, ...readErrors },
  });
  registry.registerPath({
    method: 'get',
    path: `${base}/devices`,
    tags: ['Configurations'],
    security,
    summary: 'The counted devices, with the version each runs',
    request: { params: complianceParams, query: complianceDevicesQuerySchema },
    responses: {
      200: { description: pagedDescription, ...json(pagedListSchema(complianceDeviceSchema)) },
      ...readErrors,
    },
  });
}

function registerDeviceCredentialPath(registry: OpenAPIRegistry) {
  registry.registerPath({
    method: 'post',
    path: `${platform}/devices/{id}/credentials`,
    tags: ['Devices'],
    security,
    summary: 'Issue new MQTT credentials to one device (admin)',
    description:
      "Rotates the device's broker credentials and answers them once; the previous ones are refused from the next connection on (a connected device is not disconnected). Audited. Not idempotent: each call rotates again.",
    request: { params: z.object({ id: objectId.meta({ description: '24-hex device id' }) }) },
    responses: { 200: { description: 'The new credential', ...json(deviceCredentialSchema) }, ...errorResponses },
  });
}
