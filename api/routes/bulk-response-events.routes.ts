import { setTimeout as sleep } from 'node:timers/promises';
import { Router, type Response } from 'express';
import { bulkResponseIdParams } from '../../contracts/bulk-response.schema';
import { isTerminalBulkStatus } from '../../contracts/statuses';
import { callerOf } from '../caller';
import type { ApiDependencies } from '../dependencies';
import {
  viewBulkResponseWithDeadline,
  type BulkResponseViewWithDeadline,
} from '../services/bulk-response-deadline.service';
import { withBulkResponseLinks } from './bulk-response.presenter';

const pollMilliseconds = 1000;
// Below the idle timeouts of common proxies (60 s), so a quiet stream is not cut.
const keepAliveMilliseconds = 15_000;

function writeStatusEvent(response: Response, body: unknown) {
  response.write(`event: status\ndata: ${JSON.stringify(body)}\n\n`);
}

// Everything the client is shown except updated_at, which moves with every save of the record
// (the rollout saves its state at transitions that may change nothing shown): an event goes out
// when the status, a count, the stage, an approval, what it waits for or the last deadline moved.
function changeKeyOf(view: BulkResponseViewWithDeadline): string {
  return JSON.stringify({ ...view, updated_at: null });
}

// GET /bulk_responses/:id/events (under /api/v1/platform, behind authentication): Server-Sent
// Events. The server polls the same view the GET answers, so the stream and the GET never
// disagree; the stream ends after the terminal state, and polling stops when the client leaves.
export function bulkResponseEventsRouter(dependencies: ApiDependencies): Router {
  const router = Router();
  router.get('/bulk_responses/:bulkResponseId/events', async (request, response) => {
    const { bulkResponseId } = bulkResponseIdParams.parse(request.params);
    const { companyId } = callerOf(response);
    const currentView = () => viewBulkResponseWithDeadline(dependencies, companyId, bulkResponseId);
    // Before any header is sent, so a foreign or unknown id is still an ordinary JSON 404.
    const first = await currentView();
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
      await streamUntilTerminal(response, first, clientGone.signal, currentView);
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
    first: BulkResponseViewWithDeadline,
    clientGone: AbortSignal,
    nextView: () => Promise<BulkResponseViewWithDeadline>,
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
