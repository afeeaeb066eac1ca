import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { importReportSchema } from '../../contracts/device-import.schema';
import { paginateDevicesRequestSchema, paginateDevicesResponseSchema } from '../../contracts/iris-devices.schema';
import { errorResponses, security } from './registry-paths';

const upload = z.object({
  file: z.string().meta({ format: 'binary', description: 'CSV with a header row, or a JSON array' }),
});

export function registerDevicePaths(registry: OpenAPIRegistry) {
  registerPaginatePath(registry);
  registerImportPath(registry, '/api/public/v1/devices/import', 'IRIS360 devices');
  registerImportPath(registry, '/api/v1/platform/devices/import', 'Devices');
}

function registerPaginatePath(registry: OpenAPIRegistry) {
  registry.registerPath({
    method: 'post',
    path: '/api/public/v1/devices/paginate',
    tags: ['IRIS360 devices'],
    summary: 'Page through devices',
    security,
    request: { body: { content: { 'application/json': { schema: paginateDevicesRequestSchema } } } },
    responses: {
      200: { description: 'OK', content: { 'application/json': { schema: paginateDevicesResponseSchema } } },
      400: errorResponses[400],
      401: errorResponses[401],
    },
  });
}

function registerImportPath(registry: OpenAPIRegistry, path: string, tag: string) {
  registry.registerPath({
    method: 'post',
    path,
    tags: [tag],
    summary: 'Import devices (CSV or JSON), upserting by unique_id',
    description:
      'CSV columns: unique_id, name, device_type_id, tags (a|b), heartbeat_period, metadata (k=v|k=v), heartbeat_values (a|b), active. 200 all rows imported, 207 some failed (see errors), 400 none imported.',
    security,
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': { schema: upload },
          'text/csv': { schema: z.string() },
          'application/json': { schema: z.array(z.unknown()) },
        },
      },
    },
    responses: {
      200: { description: 'Every row imported', content: { 'application/json': { schema: importReportSchema } } },
      207: { description: 'Some rows failed', content: { 'application/json': { schema: importReportSchema } } },
      ...errorResponses,
    },
  });
}
