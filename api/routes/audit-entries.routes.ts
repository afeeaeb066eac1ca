import { Router } from 'express';
import { auditListQuerySchema } from '../../contracts/audit.schema';
import { listAuditEntries } from '../../registry/audit-entries.repository';
import type { Database } from '../../registry/database';
import { callerOf } from '../caller';
import { requireRole } from '../middleware/require-role';
import { parseOrReject } from './validation';

// GET /audit (under /api/v1/platform, behind authentication), admin only: the company's audit
// trail, newest first, paged like every list. Another company's entries never appear, whatever
// the filters say.
export function auditEntriesRouter(database: Database): Router {
  const router = Router();
  router.get('/audit', requireRole('admin'), async (request, response) => {
    const query = parseOrReject(auditListQuerySchema, request.query, 'query');
    const filters = {
      actor: query.actor,
      action: query.action,
      objectId: query.object_id,
      // As instants: PostgreSQL refuses some ISO times as text (offsets past 15:59, year 0).
      since: query.since === undefined ? undefined : new Date(query.since),
      until: query.until === undefined ? undefined : new Date(query.until),
    };
    const page = { page: query.page, perPage: query.per_page };
    const withTotal = query.page_meta === 'true';
    const result = await listAuditEntries(database, callerOf(response).companyId, filters, page, { withTotal });
    response.json(withTotal ? { total: result.total, resources: result.rows } : result.rows);
  });
  return router;
}
