import { Router } from 'express';
import {
  bulkResponseDevicesQuerySchema,
  bulkResponseIdParams,
  bulkResponsesListQuerySchema,
  retryBodySchema,
} from '../../contracts/bulk-response.schema';
import { listBulkResponses } from '../../registry/bulk-responses.repository';
import { listDeviceResults } from '../../registry/device-results.repository';
import { cancelUpdate, pauseUpdate, resumeUpdate } from '../../workflows/definitions';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { requireRole } from '../middleware/require-role';
import { viewBulkResponseWithDeadline } from '../services/bulk-response-deadline.service';
import { findCompanyBulkResponse, viewOf } from '../services/bulk-response-view.service';
import { steerRollout } from '../services/rollout-steering.service';
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
    const view = await viewBulkResponseWithDeadline(dependencies, callerOf(response).companyId, bulkResponseId);
    // One statement: the record, its counts and its waiting devices' last deadline.
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
  const controls = { cancel: cancelUpdate, pause: pauseUpdate, resume: resumeUpdate } as const;
  for (const [verb, update] of Object.entries(controls)) {
    router.post(`/bulk_responses/:bulkResponseId/${verb}`, requireRole('operator'), async (request, response) => {
      const { bulkResponseId } = bulkResponseIdParams.parse(request.params);
      const view = await steerRollout(dependencies, callerOf(response).companyId, bulkResponseId, verb, update);
      response.status(202).json(withBulkResponseLinks(dependencies.config.temporal, view));
    });
  }

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
