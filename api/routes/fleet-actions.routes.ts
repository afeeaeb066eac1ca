import { Router } from 'express';
import type { ApiDependencies } from '../dependencies';

// POST /fleets/:fleetId/actions (mounted under /api/v1/platform, behind authentication).
export function fleetActionsRouter(_dependencies: ApiDependencies): Router {
  return Router();
}
