import { Router } from 'express';
import { bulkResponseIdParams } from '../../contracts/bulk-response.schema';
import { rollbackBodySchema } from '../../contracts/rollback.schema';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { requireRole } from '../middleware/require-role';
import { rollbackBulkResponse } from '../services/rollback-bulk-response.service';
import { previewRollback } from '../services/rollback-preview.service';
import { bulkResponseLinks } from './bulk-response.presenter';

// POST /bulk_responses/:id/rollback (operator or admin): a new bulk response that undoes what an
// ended one did on the devices it acted on, answered like retry; .../rollback/preview: its dry run.
export function bulkResponseRollbackRouter(dependencies: ApiDependencies): Router {
  const router = Router();
  router.post('/bulk_responses/:bulkResponseId/rollback', requireRole('operator'), async (request, response) => {
    const { bulkResponseId } = bulkResponseIdParams.parse(request.params);
    const body = rollbackBodySchema.parse(request.body ?? {});
    const started = await rollbackBulkResponse(dependencies, callerOf(response), bulkResponseId, body);
    response.status(202).json({
      bulk_response_id: started.bulkResponseId,
      parent_id: bulkResponseId,
      status: 'pending',
      links: bulkResponseLinks(dependencies.config.temporal, started.bulkResponseId),
    });
  });
  router.post(
    '/bulk_responses/:bulkResponseId/rollback/preview',
    requireRole('operator'),
    async (request, response) => {
      const { bulkResponseId } = bulkResponseIdParams.parse(request.params);
      const body = rollbackBodySchema.parse(request.body ?? {});
      response.json(await previewRollback(dependencies, callerOf(response), bulkResponseId, body));
    },
  );
  return router;
}
