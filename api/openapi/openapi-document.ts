import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { actionTemplatesResource } from '../routes/action-templates.resource';
import { commandsResource } from '../routes/commands.resource';
import { configurationsResource } from '../routes/configurations.resource';
import { deviceTypesResource } from '../routes/device-types.resource';
import { devicesResource } from '../routes/devices.resource';
import { fleetsResource } from '../routes/fleets.resource';
import { settingsResource } from '../routes/settings.resource';
import { usersResource } from '../routes/users.resource';
import { registerAuthPaths } from './auth-paths';
import { registerBulkResponsePaths } from './bulk-response-paths';
import { registerCompanyAndFleetPaths } from './company-fleet-paths';
import { registerConsolePaths } from './console-paths';
import { registerDevicePaths } from './device-paths';
import { registerFleetActionPaths } from './fleet-action-paths';
import { withIntegerBounds } from './integer-bounds';
import { registerCrudPaths, type ResourceDescription } from './registry-paths';
import { registerRollbackPaths } from './rollback-paths';
import { registerSendCommandsBulkPath } from './send-commands-bulk-paths';
import { registerWebhookPaths } from './webhook-paths';

const resources: [ResourceDescription, string][] = [
  [usersResource, 'Users'],
  [deviceTypesResource, 'Device types'],
  [devicesResource, 'Devices'],
  [fleetsResource, 'Fleets'],
  [commandsResource, 'Commands'],
  [configurationsResource, 'Configurations'],
  [settingsResource, 'Settings'],
  [actionTemplatesResource, 'Action templates'],
];

let cached: object | undefined;

// Generated once from the zod schemas the routes validate with, so the document cannot drift.
export function openApiDocument(): object {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'token', {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'A session, API or IRIS360 token, optionally prefixed by "Bearer ".',
  });
  registerAuthPaths(registry);
  for (const [resource, tag] of resources) registerCrudPaths(registry, resource, tag);
  registerDevicePaths(registry);
  registerCompanyAndFleetPaths(registry);
  registerFleetActionPaths(registry);
  registerBulkResponsePaths(registry);
  registerRollbackPaths(registry);
  registerSendCommandsBulkPath(registry);
  registerWebhookPaths(registry);
  registerConsolePaths(registry);
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Fleet bulk actions',
      version: '0.1.0',
      description: 'EdgeIQ dialect under /api/v1/platform, IRIS360 dialect under /api/public/v1.',
      license: { name: 'UNLICENSED' },
    },
    servers: [{ url: '/', description: 'The server that serves this document' }],
  });
  cached = withIntegerBounds(
    withRestrictedReads(withRegistryConflicts(withAppWideResponses(withOperationIds(document)))),
  );
  return cached;
}

interface OperationObject {
  operationId?: string;
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}
type Operations = Record<string, Record<string, OperationObject>>;

// Every operation gets a stable id (client generators and linters need one), derived from its
// method and path where its registration did not name it: `get /fleets/{id}` -> getFleetsById.
function withOperationIds<Document extends { paths?: object }>(document: Document): Document {
  for (const [path, operations] of Object.entries((document.paths ?? {}) as Operations))
    for (const [method, operation] of Object.entries(operations))
      operation.operationId ??= operationIdFor(method, path);
  return document;
}

function operationIdFor(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/(v1\/platform|public\/v1)/, (_prefix, dialect: string) =>
      dialect === 'public/v1' ? '/iris' : '',
    )
    .split('/')
    .filter((segment) => segment.length > 0)
    .flatMap((segment) => (segment.startsWith('{') ? ['by', ...segment.slice(1, -1).split('_')] : segment.split('_')))
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `${method}${words.join('')}`;
}

const errorBody = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const appWideResponses = {
  400: { description: 'Malformed request: a NUL character or bad encoding in the path, query or body', ...errorBody },
  413: { description: 'Request body too large', ...errorBody },
};

// The app refuses some requests before any route sees them (api/middleware: NUL characters and
// malformed encodings -> 400, oversized bodies -> 413), so every operation can answer those.
function withAppWideResponses<Document extends { paths?: object }>(document: Document): Document {
  for (const operations of Object.values((document.paths ?? {}) as Operations))
    for (const operation of Object.values(operations)) {
      const responses = (operation.responses ??= {});
      responses[400] ??= appWideResponses[400];
      if (operation.requestBody) responses[413] ??= appWideResponses[413];
    }
  return document;
}

const writeMethods = new Set(['post', 'put', 'patch', 'delete']);
const registryPrefixes = [
  ...resources.map(([resource]) => `/api/v1/platform${resource.path}`),
  '/api/v1/platform/companies',
];
const registryConflict = {
  description:
    'Conflict: a unique field is already taken (`details` names it), the object is still referenced, or (users) the change would delete or demote yourself or the last admin of the company',
  ...errorBody,
};

// Registry writes can break a unique or foreign-key constraint (api/middleware/database-errors.ts
// turns those into 409), whichever route they come through.
function withRegistryConflicts<Document extends { paths?: object }>(document: Document): Document {
  for (const [path, operations] of Object.entries((document.paths ?? {}) as Operations)) {
    if (!registryPrefixes.some((prefix) => path === prefix || path === `${prefix}/{id}`)) continue;
    for (const [method, operation] of Object.entries(operations))
      if (writeMethods.has(method)) (operation.responses ??= {})[409] ??= registryConflict;
  }
  return document;
}

const forbidden = { description: 'Forbidden: the role does not allow this', ...errorBody };

// A resource readable only above the viewer role (users: admin) refuses lower roles with 403 on
// its GET operations too.
function withRestrictedReads<Document extends { paths?: object }>(document: Document): Document {
  const paths = (document.paths ?? {}) as Operations;
  for (const [resource] of resources) {
    const readRole = 'readRole' in resource ? resource.readRole : undefined;
    if (readRole === undefined || readRole === 'viewer') continue;
    const prefix = `/api/v1/platform${resource.path}`;
    for (const path of [prefix, `${prefix}/{id}`]) {
      const read = paths[path]?.get;
      if (read) (read.responses ??= {})[403] ??= forbidden;
    }
  }
  return document;
}
