import { Router } from 'express';
import type { Database } from '../../registry/database';
import { getFleet, listFleetDevices } from '../../registry/fleets.repository';
import { callerOf } from '../caller';
import { found } from './crud.router';
import { idParameter, pageOf } from './validation';

// GET /fleets/:id/devices: a preview of what the fleet resolves to now; an action started later
// resolves the criteria again.
export function fleetDevicesRouter(database: Database): Router {
  const router = Router();
  router.get('/fleets/:id/devices', async (request, response) => {
    const id = idParameter(request);
    const { page, withMeta } = pageOf(request);
    const caller = callerOf(response);
    const fleet = found(await getFleet(database, caller.companyId, id), 'Fleet');
    const result = await listFleetDevices(database, caller.companyId, fleet.criteria, page);
    response.json(withMeta ? { total: result.total, resources: result.rows } : result.rows);
  });
  return router;
}
