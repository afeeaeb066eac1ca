import type { Logger } from 'pino';
import { metricsRegistry } from './metrics';

const temporalScrapeTimeoutMs = 2000;

// What a process's /metrics answers, for the API's route and the worker's metrics port alike:
// this process's registry and, where it runs a Temporal worker, the SDK's worker metrics, which
// live in its Core runtime's own exporter on loopback and are appended so one scrape sees all.
export async function metricsExposition(logger: Logger, temporalMetricsUrl?: string): Promise<string> {
  const own = await metricsRegistry.metrics();
  const temporal = temporalMetricsUrl ? await scrapeTemporal(temporalMetricsUrl, logger) : '';
  return `${own}\n${temporal}`;
}

export const metricsContentType = metricsRegistry.contentType;

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
