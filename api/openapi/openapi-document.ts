import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
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
import { registerDevicePaths } from './device-paths';
import { registerFleetActionPaths } from './fleet-action-paths';
import { registerCrudPaths, type ResourceDescription } from './registry-paths';
import { registerSendCommandsBulkPath } from './send-commands-bulk-paths';

const resources: [ResourceDescription, string][] = [
  [usersResource, 'Users'],
  [deviceTypesResource, 'Device types'],
  [devicesResource, 'Devices'],
  [fleetsResource, 'Fleets'],
  [commandsResource, 'Commands'],
  [configurationsResource, 'Configurations'],
  [settingsResource, 'Settings'],
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
  registerSendCommandsBulkPath(registry);
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
  cached = withOperationIds(document);
  return cached;
}

type Operations = Record<string, Record<string, { operationId?: string }>>;

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
