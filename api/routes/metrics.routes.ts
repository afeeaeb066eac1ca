import { Router } from 'express';
import type { Logger } from 'pino';
import { metricsRegistry } from '../../config/metrics';

const temporalScrapeTimeoutMs = 2000;

// GET /metrics: Prometheus text, unauthenticated like /healthz (it carries counts, no tenant data).
// In one process the Temporal SDK's worker metrics live in its Core runtime's own exporter on
// loopback; they are appended so one scrape sees the whole process.
export function metricsRouter(logger: Logger, temporalMetricsUrl?: string): Router {
  const router = Router();
  router.get('/metrics', async (_request, response) => {
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
