import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  csvImportPattern,
  importReportSchema,
  maximumImportFileBytes,
  maximumImportRows,
} from '../../contracts/device-import.schema';
import { paginateDevicesRequestSchema, paginateDevicesResponseSchema } from '../../contracts/iris-devices.schema';
import { errorResponses, security } from './registry-paths';

const csvText = z.string().meta({
  description: 'CSV: a header row of known columns, then one device per line',
  pattern: csvImportPattern,
  maxLength: maximumImportFileBytes,
  example: 'unique_id,name,device_type_id,tags\nGW-0001,Lobby gateway,65f1c0ffee0000000000abcd,lobby|floor-1\n',
});
const upload = z.strictObject({
  file: csvText.meta({
    contentMediaType: 'text/csv',
    description: 'A CSV file (as above) or a JSON array file (`.json` or an application/json part)',
  }),
});
const jsonRows = z
  .array(z.unknown())
  .min(1)
  .max(maximumImportRows)
  .meta({ description: 'Devices as POST /devices takes them; each element is one row' });

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
      'CSV columns: unique_id, name, device_type_id, tags (a|b), heartbeat_period, metadata (k=v|k=v), heartbeat_values (a|b), active. 200: every row imported; 207: some or all rows failed (each in errors, with its row number; a failed row writes nothing); 400: the file cannot be read (not CSV or JSON, unknown columns, no rows, more than 10,000 rows); 413: more than 5 MB.',
    security,
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': { schema: upload },
          'text/csv': { schema: csvText },
          'application/json': { schema: jsonRows },
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
