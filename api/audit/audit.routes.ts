import { Router } from 'express';
import type { AuditActionName } from '../../contracts/audit.schema';
import { auditStep, type AuditDependencies } from './audit-trail.middleware';
import { auditedActions } from './audited-actions';

// Mounted at the root of the app ahead of every other router: for each audited route, a step that
// arms the recording and passes on (`next()`), so the route itself runs unchanged. Express matches
// these paths exactly as it matches the routes they shadow.
export function auditRouter(dependencies: AuditDependencies): Router {
  const router = Router();
  for (const [action, definition] of Object.entries(auditedActions)) {
    const step = auditStep(dependencies, action as AuditActionName);
    for (const [method, path] of definition.routes) router[method](path, step);
  }
  return router;
}
