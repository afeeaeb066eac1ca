import { Router } from 'express';
import type { Logger } from 'pino';
import { metricsContentType, metricsExposition } from '../../config/metrics-exposition';

// GET /metrics: Prometheus text, unauthenticated like /healthz (it carries counts, no tenant data).
export function metricsRouter(logger: Logger, temporalMetricsUrl?: string): Router {
  const router = Router();
  router.get('/metrics', async (_request, response) => {
    response.type(metricsContentType).send(await metricsExposition(logger, temporalMetricsUrl));
  });
  return router;
}
