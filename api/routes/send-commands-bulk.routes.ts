import { Router } from 'express';
import { sendCommandsBulkRequestSchema } from '../../contracts/send-commands-bulk.schema';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { requireRole } from '../middleware/require-role';
import { sendCommandsBulk } from '../services/send-commands-bulk.service';

export const bulkResponseIdHeader = 'X-Bulk-Response-Id';

// POST /devices/sendCommandsBulk (mounted under /api/public/v1, behind authentication). Always
// 207 with one item per serial; the header names the bulk response that tracks the rest.
export function sendCommandsBulkRouter(dependencies: ApiDependencies): Router {
  const router = Router();
  router.post('/devices/sendCommandsBulk', requireRole('operator'), async (request, response) => {
    const caller = callerOf(response);
    const body = sendCommandsBulkRequestSchema.parse(request.body);
    const result = await sendCommandsBulk(dependencies, caller, body);
    if (result.bulkResponseId) response.set(bulkResponseIdHeader, result.bulkResponseId);
    response.status(207).json(result.items);
  });
  return router;
}
