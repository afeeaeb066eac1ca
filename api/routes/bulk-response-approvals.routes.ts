import { Router } from 'express';
import { approvalBodySchema, bulkResponseIdParams } from '../../contracts/bulk-response.schema';
import { approveUpdate, rejectUpdate } from '../../workflows/definitions';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { requireRole } from '../middleware/require-role';
import { steerRollout } from '../services/rollout-steering.service';
import { withBulkResponseLinks } from './bulk-response.presenter';

// POST /bulk_responses/:id/approve | reject (operator or admin): lets the stage the rollout waits
// for start, or ends the rollout aborted. Only someone other than its creator (403 otherwise);
// who and when are kept on the bulk response (`approvals`).
export function bulkResponseApprovalsRouter(dependencies: ApiDependencies): Router {
  const router = Router();
  const decisions = { approve: approveUpdate, reject: rejectUpdate } as const;
  for (const [verb, update] of Object.entries(decisions)) {
    router.post(`/bulk_responses/:bulkResponseId/${verb}`, requireRole('operator'), async (request, response) => {
      const { bulkResponseId } = bulkResponseIdParams.parse(request.params);
      const { comment } = approvalBodySchema.parse(request.body ?? {});
      const caller = callerOf(response);
      const by = { user_id: caller.userId, email: caller.email, role: caller.role };
      const view = await steerRollout(dependencies, caller.companyId, bulkResponseId, verb, update, {
        by,
        comment: comment ?? null,
      });
      response.status(202).json(withBulkResponseLinks(dependencies.config.temporal, view));
    });
  }
  return router;
}
