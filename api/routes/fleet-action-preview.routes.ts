import { Router } from 'express';
import { z } from 'zod';
import { objectId } from '../../contracts/fleet-action.schema';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { requireRole } from '../middleware/require-role';
import { previewFleetAction } from '../services/preview-fleet-action.service';
import { findActionFleet, resolveCommand } from '../services/resolve-action-target.service';
import { fleetActionBodyOf } from '../services/templated-action.service';

const fleetParams = z.object({ fleetId: objectId });

// POST /fleets/:fleetId/actions/preview (under /api/v1/platform, behind authentication): the
// start route's validation and resolution (same 400/404), then a count instead of a workflow.
export function fleetActionPreviewRouter(dependencies: ApiDependencies): Router {
  const router = Router();
  router.post('/fleets/:fleetId/actions/preview', requireRole('operator'), async (request, response) => {
    const { companyId } = callerOf(response);
    const { fleetId } = fleetParams.parse(request.params);
    const body = await fleetActionBodyOf(dependencies.database, companyId, request.body);
    const fleet = await findActionFleet(dependencies.database, companyId, fleetId);
    const command = await resolveCommand(dependencies.database, companyId, body);
    const preview = await previewFleetAction(dependencies.database, {
      companyId,
      fleet,
      request: body,
      command,
      now: new Date(),
    });
    response.json(preview);
  });
  return router;
}
