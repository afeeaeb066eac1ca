import { Router } from 'express';
import type { ApiDependencies } from '../dependencies';

// POST /devices/sendCommandsBulk (mounted under /api/public/v1, behind authentication).
export function sendCommandsBulkRouter(_dependencies: ApiDependencies): Router {
  return Router();
}
