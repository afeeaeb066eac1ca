import { Router } from 'express';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { NotFoundError } from '../errors';
import { requireRole } from '../middleware/require-role';
import { rotateDeviceCredentials } from '../../registry/device-credentials.repository';
import { getFleet, resolveFleetDeviceIds } from '../../registry/fleets.repository';

// POST /fleets/:fleetId/device_credentials (mounted under /api/v1/platform, behind
// authentication): rotates the broker credentials of every device the fleet resolves to and
// answers them once, [{device_id, unique_id, username, password}]. This is how the device
// simulator (and a provisioning tool) obtains credentials for a whole fleet; old credentials
// stop working. With Mosquitto, run the credential sync afterwards (docs/device-protocol.md).
export function deviceCredentialsRouter(dependencies: ApiDependencies): Router {
  const router = Router();
  router.post('/fleets/:fleetId/device_credentials', requireRole('admin'), async (request, response) => {
    const { companyId } = callerOf(response);
    const fleet = await getFleet(dependencies.database, companyId, request.params.fleetId as string);
    if (!fleet) throw new NotFoundError('Fleet');
    const deviceIds = await resolveFleetDeviceIds(dependencies.database, companyId, fleet.criteria);
    response.json(await rotateDeviceCredentials(dependencies.database, companyId, deviceIds));
  });
  return router;
}
