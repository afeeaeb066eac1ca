import { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { metricsRegistry } from '../../config/metrics';

const temporalScrapeTimeoutMs = 2000;

// GET /metrics: Prometheus text. In one process the Temporal SDK's worker metrics live in its Core
// runtime's own exporter on loopback; they are appended so one scrape sees the whole process.
// `guards` run first: the API asks for an admin's token (the series are the whole service's, every
// company's rollouts included); a worker serves it without, on loopback by default.
export function metricsRouter(logger: Logger, temporalMetricsUrl?: string, guards: RequestHandler[] = []): Router {
  const router = Router();
  router.get('/metrics', ...guards, async (_request, response) => {
    const own = await metricsRegistry.metrics();
    const temporal = temporalMetricsUrl ? await scrapeTemporal(temporalMetricsUrl, logger) : '';
    response.type(metricsRegistry.contentType).send(`${own}\n${temporal}`);
  });
  return router;
}

async function scrapeTemporal(url: string, logger: Logger): Promise<string> {
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(temporalScrapeTimeoutMs) });
    if (!answer.ok) throw new Error(`status ${answer.status}`);
    return await answer.text();
  } catch (error) {
    logger.warn({ err: error, url }, 'Temporal runtime metrics unavailable');
    return '';
  }
}
