import { Router } from 'express';
import { paginateDevicesRequestSchema } from '../../contracts/iris-devices.schema';
import type { Database } from '../../registry/database';
import { searchDevices } from '../../registry/device-search.repository';
import { callerOf } from '../caller';
import { deviceImportRouter } from './device-import.routes';
import { parseOrReject } from './validation';

// The IRIS360 device routes, mounted under /api/public/v1 behind authentication.
export function irisDevicesRouter(database: Database): Router {
  const router = Router();
  router.post('/devices/paginate', async (request, response) => {
    const body = parseOrReject(paginateDevicesRequestSchema, request.body ?? {});
    const result = await searchDevices(database, callerOf(response).companyId, body);
    response.json({
      rows: result.rows.map((device) => ({ ...device, serial: device.unique_id })),
      count: result.total,
    });
  });
  router.use(deviceImportRouter(database));
  return router;
}
