import { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { metricsContentType, metricsExposition } from '../../config/metrics-exposition';

// GET /metrics: Prometheus text. In one process the Temporal SDK's worker metrics live in its Core
// runtime's own exporter on loopback; they are appended so one scrape sees the whole process.
// `guards` run first: the API asks for an admin's token (the series are the whole service's, every
// company's rollouts included); a worker serves it without, on loopback by default.
export function metricsRouter(logger: Logger, temporalMetricsUrl?: string, guards: RequestHandler[] = []): Router {
  const router = Router();
  router.get('/metrics', ...guards, async (_request, response) => {
    response.type(metricsContentType).send(await metricsExposition(logger, temporalMetricsUrl));
  });
  return router;
}
