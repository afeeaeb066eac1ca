import { Router } from 'express';
import type { ApiDependencies } from '../dependencies';

// /bulk_responses... (mounted under /api/v1/platform, behind authentication).
export function bulkResponsesRouter(_dependencies: ApiDependencies): Router {
  return Router();
}
