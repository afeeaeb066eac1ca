import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Router } from 'express';
import {
  bulkResponseDevicesQuerySchema,
  bulkResponseIdParams,
  bulkResponsesListQuerySchema,
  retryBodySchema,
} from '../../contracts/bulk-response.schema';
import { isTerminalBulkStatus } from '../../contracts/statuses';
import { listBulkResponses } from '../../registry/bulk-responses.repository';
import { listDeviceResults } from '../../registry/device-results.repository';
import { cancelUpdate, pauseUpdate, resumeUpdate } from '../../workflows/definitions';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { ConflictError } from '../errors';
import { requireRole } from '../middleware/require-role';
import { findCompanyBulkResponse, viewBulkResponse, viewOf } from '../services/bulk-response-view.service';
import { retryBulkResponse } from '../services/retry-bulk-response.service';
import { bulkResponseLinks, withBulkResponseLinks } from './bulk-response.presenter';

function pageOf(query: { page: number; per_page: number }) {
  return { limit: query.per_page, offset: (query.page - 1) * query.per_page };
}

// /bulk_responses (under /api/v1/platform, behind authentication).
export function bulkResponsesRouter(dependencies: ApiDependencies): Router {
  const router = Router();

  router.get('/bulk_responses', async (request, response) => {
    const query = bulkResponsesListQuerySchema.parse(request.query);
    const filters = { fleetId: query.fleet_id, action: query.action, status: query.status };
    const result = await listBulkResponses(dependencies.database, callerOf(response).companyId, filters, pageOf(query));
    // One SQL query, and the same view as the single GET.
    const resources = result.resources.map((record) =>
      withBulkResponseLinks(dependencies.config.temporal, viewOf(record)),
    );
    response.json(query.page_meta === 'true' ? { ...result, resources } : resources);
  });

  router.get('/bulk_responses/:bulkResponseId', async (request, response) => {
    const { bulkResponseId } = bulkResponseIdParams.parse(request.params);
    const view = await viewBulkResponse(dependencies, callerOf(response).companyId, bulkResponseId);
    response.json(withBulkResponseLinks(dependencies.config.temporal, view));
  });

  router.get('/bulk_responses/:bulkResponseId/responses', async (request, response) => {
    const { bulkResponseId } = bulkResponseIdParams.parse(request.params);
    const query = bulkResponseDevicesQuerySchema.parse(request.query);
    await findCompanyBulkResponse(dependencies, callerOf(response).companyId, bulkResponseId);
    const result = await listDeviceResults(dependencies.database, bulkResponseId, query.status, pageOf(query));
    response.json({ total: result.total, page: query.page, per_page: query.per_page, resources: result.resources });
  });

  // Pause, resume and cancel are Updates: the workflow answers once it reached the new state and
  // its record shows it, so the 202 (and every read after it) shows what the rollout did.
  const control = (name: string, update: typeof pauseUpdate) =>
    router.post(`/bulk_responses/:bulkResponseId/${name}`, requireRole('operator'), async (request, response) => {
      const { bulkResponseId } = bulkResponseIdParams.parse(request.params);
      const companyId = callerOf(response).companyId;
      const record = await findCompanyBulkResponse(dependencies, companyId, bulkResponseId);
      if (isTerminalBulkStatus(record.status)) throw new ConflictError(`Bulk response is already ${record.status}`);
      try {
        await dependencies.temporal.workflow.getHandle(bulkResponseId).executeUpdate(update);
      } catch (error) {
        // The rollout refused (it already stopped), or its execution ended outside the service
        // (terminated: the reconciler ends the record).
        if (error instanceof WorkflowUpdateFailedError)
          throw new ConflictError(`Bulk response cannot ${name} now: ${error.cause?.message ?? error.message}`);
        if (error instanceof WorkflowNotFoundError)
          throw new ConflictError('Bulk response execution has already ended');
        throw error;
      }
      const view = await viewBulkResponse(dependencies, companyId, bulkResponseId);
      response.status(202).json(withBulkResponseLinks(dependencies.config.temporal, view));
    });
  control('cancel', cancelUpdate);
  control('pause', pauseUpdate);
  control('resume', resumeUpdate);

  router.post('/bulk_responses/:bulkResponseId/retry', requireRole('operator'), async (request, response) => {
    const { bulkResponseId } = bulkResponseIdParams.parse(request.params);
    const { statuses } = retryBodySchema.parse(request.body ?? {});
    const started = await retryBulkResponse(dependencies, callerOf(response), bulkResponseId, statuses);
    response.status(202).json({
      bulk_response_id: started.bulkResponseId,
      parent_id: bulkResponseId,
      status: 'pending',
      links: bulkResponseLinks(dependencies.config.temporal, started.bulkResponseId),
    });
  });
  return router;
}
