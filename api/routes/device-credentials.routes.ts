import { Router } from 'express';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { NotFoundError } from '../errors';
import { requireRole } from '../middleware/require-role';
import { rotateDeviceCredentials } from '../../registry/device-credentials.repository';
import { getFleet, resolveFleetDeviceIds } from '../../registry/fleets.repository';
import { idParameter } from './validation';

// POST /fleets/:fleetId/device_credentials (mounted under /api/v1/platform, behind
// authentication): rotates the broker credentials of every device the fleet resolves to and
// answers them once, [{device_id, unique_id, company_id, username, password}] (company_id because
// a device needs it for its topics). This is how the device simulator (and a provisioning tool)
// obtains credentials for a whole fleet; old credentials stop working. The answer waits for
// `credentialsChanged` (Mosquitto's file sync when MOSQUITTO_AUTH_DIR is set), so the new
// credentials work as soon as they are received. POST /devices/:id/credentials does the same for
// one device (a replaced or compromised one) and answers its one credential as an object.
export function deviceCredentialsRouter(dependencies: ApiDependencies): Router {
  const router = Router();
  if (dependencies.config.mqtt.mosquittoAuthDirectory && !dependencies.credentialsChanged) {
    dependencies.logger.warn(
      'MOSQUITTO_AUTH_DIR is set but this process does not sync it: rotated credentials wait for npm run sync:mosquitto',
    );
  }
  router.post('/fleets/:fleetId/device_credentials', requireRole('admin'), async (request, response) => {
    const { companyId } = callerOf(response);
    const fleet = await getFleet(dependencies.database, companyId, request.params.fleetId as string);
    if (!fleet) throw new NotFoundError('Fleet');
    const deviceIds = await resolveFleetDeviceIds(dependencies.database, companyId, fleet.criteria);
    const issued = await rotateDeviceCredentials(dependencies.database, companyId, deviceIds);
    await syncBroker(dependencies);
    response.json(issued.map((credential) => ({ ...credential, company_id: companyId })));
  });
  router.post('/devices/:id/credentials', requireRole('admin'), async (request, response) => {
    const { companyId } = callerOf(response);
    const [issued] = await rotateDeviceCredentials(dependencies.database, companyId, [idParameter(request)]);
    if (!issued) throw new NotFoundError('Device');
    await syncBroker(dependencies);
    response.json({ ...issued, company_id: companyId });
  });
  return router;
}

// The rotation is committed: a failed sync must not lose the only copy of the passwords; the
// periodic `npm run sync:mosquitto` catches up.
async function syncBroker(dependencies: ApiDependencies): Promise<void> {
  await dependencies.credentialsChanged?.().catch((error: unknown) => {
    dependencies.logger.warn({ err: error }, 'broker credential sync failed after a rotation');
  });
}
