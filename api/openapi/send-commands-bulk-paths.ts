import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  sendCommandsBulkRequestSchema,
  sendCommandsBulkResponseSchema,
} from '../../contracts/send-commands-bulk.schema';
import { bulkResponseIdHeader } from '../routes/send-commands-bulk.routes';
import { dispatchWaitMilliseconds } from '../services/send-commands-bulk.service';
import { admissionRefused, errorResponses, security } from './registry-paths';

const description = `Every key other than device_serials is a command (name = key, value = its parameter). Each serial is answered at its position:
"Command sent!!" once the command is published to the device (an offline device's queue counts, so offline devices never hold the answer);
"Command queued" if it was not published within ${dispatchWaitMilliseconds / 1000} s (the bulk response goes on);
"You cannot send any of: a, b" when the device's type lacks those commands (capabilities.actions);
"Device not found: X" for an unknown serial (or another company's); "Device is inactive: X" for an inactive device.
The capable devices form one bulk response, named by the ${bulkResponseIdHeader} header (absent when no device could take the commands)
and tracked under /api/v1/platform/bulk_responses/{id}.`;

export function registerSendCommandsBulkPath(registry: OpenAPIRegistry) {
  registry.registerPath({
    method: 'post',
    path: '/api/public/v1/devices/sendCommandsBulk',
    tags: ['IRIS360 devices'],
    summary: 'Send commands to devices in bulk',
    description,
    security,
    request: { body: { required: true, content: { 'application/json': { schema: sendCommandsBulkRequestSchema } } } },
    responses: {
      207: {
        description: 'One item per serial, in request order',
        headers: z.object({
          [bulkResponseIdHeader]: z
            .string()
            .optional()
            .meta({ description: 'The bulk response tracking the capable devices' }),
        }),
        content: { 'application/json': { schema: sendCommandsBulkResponseSchema } },
      },
      400: errorResponses[400],
      401: errorResponses[401],
      403: errorResponses[403],
      429: admissionRefused,
    },
  });
}
