import { setTimeout as sleep } from 'node:timers/promises';
import { Router, type Response } from 'express';
import { bulkResponseIdParams } from '../../contracts/bulk-response.schema';
import { isTerminalBulkStatus } from '../../contracts/statuses';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { viewBulkResponse, type BulkResponseView } from '../services/bulk-response-view.service';
import { withBulkResponseLinks } from './bulk-response.presenter';

const pollMilliseconds = 1000;
// Below the idle timeouts of common proxies (60 s), so a quiet stream is not cut.
const keepAliveMilliseconds = 15_000;

function writeStatusEvent(response: Response, body: unknown) {
  response.write(`event: status\ndata: ${JSON.stringify(body)}\n\n`);
}

// What the client is shown to change: status and counts (updated_at moves on every write).
function changeKeyOf(view: BulkResponseView): string {
  return JSON.stringify([view.status, view.counts, view.waiting_for]);
}

// GET /bulk_responses/:id/events (under /api/v1/platform, behind authentication): Server-Sent
// Events. The server polls the same view the GET answers, so the stream and the GET never
// disagree; the stream ends after the terminal state, and polling stops when the client leaves.
export function bulkResponseEventsRouter(dependencies: ApiDependencies): Router {
  const router = Router();
  router.get('/bulk_responses/:bulkResponseId/events', async (request, response) => {
    const { bulkResponseId } = bulkResponseIdParams.parse(request.params);
    const { companyId } = callerOf(response);
    // Before any header is sent, so a foreign or unknown id is still an ordinary JSON 404.
    const first = await viewBulkResponse(dependencies, companyId, bulkResponseId);
    const clientGone = new AbortController();
    response.on('close', () => clientGone.abort());
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), keepAliveMilliseconds);
    try {
      await streamUntilTerminal(response, first, clientGone.signal, () =>
        viewBulkResponse(dependencies, companyId, bulkResponseId),
      );
    } catch (error) {
      if (!clientGone.signal.aborted)
        dependencies.logger.warn({ err: error, bulkResponseId }, 'event stream ended early');
    } finally {
      clearInterval(keepAlive);
      response.end();
    }
  });

  async function streamUntilTerminal(
    response: Response,
    first: BulkResponseView,
    clientGone: AbortSignal,
    nextView: () => Promise<BulkResponseView>,
  ) {
    const temporal = dependencies.config.temporal;
    let view = first;
    writeStatusEvent(response, withBulkResponseLinks(temporal, view));
    while (!isTerminalBulkStatus(view.status)) {
      await sleep(pollMilliseconds, undefined, { signal: clientGone });
      const next = await nextView();
      if (changeKeyOf(next) !== changeKeyOf(view)) writeStatusEvent(response, withBulkResponseLinks(temporal, next));
      view = next;
    }
  }
  return router;
}
