import { Router } from 'express';
import { z } from 'zod';
import { objectId } from '../../contracts/fleet-action.schema';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { requireRole } from '../middleware/require-role';
import { findActionFleet, resolveCommand } from '../services/resolve-action-target.service';
import { fleetActionBodyOf } from '../services/templated-action.service';
import { fleetActionSummary } from '../../contracts/rollout-summary';
import { startBulkAction } from '../services/start-bulk-action.service';
import { bulkResponseLinks } from './bulk-response.presenter';

const fleetParams = z.object({ fleetId: objectId });
const idempotencyKeyHeader = z.string().min(1).max(200).optional();

// POST /fleets/:fleetId/actions (under /api/v1/platform, behind authentication). The answer does
// not wait for the fleet to be enumerated: the workflow does that, page by page.
export function fleetActionsRouter(dependencies: ApiDependencies): Router {
  const router = Router();
  router.post('/fleets/:fleetId/actions', requireRole('operator'), async (request, response) => {
    const caller = callerOf(response);
    const { fleetId } = fleetParams.parse(request.params);
    const idempotencyKey = idempotencyKeyHeader.parse(request.get('Idempotency-Key'));
    const body = await fleetActionBodyOf(dependencies.database, caller.companyId, request.body);
    const fleet = await findActionFleet(dependencies.database, caller.companyId, fleetId);
    const command = await resolveCommand(dependencies.database, caller.companyId, body);
    const started = await startBulkAction(dependencies, {
      caller,
      fleetId,
      request: body,
      source: { kind: 'fleet', criteria: fleet.criteria, createdBefore: new Date().toISOString() },
      command,
      summary: fleetActionSummary(body.action, command, fleet.name),
      idempotencyKey,
    });
    response.status(202).json({
      bulk_response_id: started.bulkResponseId,
      status: 'pending',
      fleet_id: fleetId,
      action: body.action,
      links: bulkResponseLinks(dependencies.config.temporal, started.bulkResponseId),
    });
  });
  return router;
}
