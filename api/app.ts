import express from 'express';
import { pinoHttp } from 'pino-http';
import { authenticate } from './auth/authenticate.middleware';
import type { ApiDependencies } from './dependencies';
import { errorHandler, notFoundRoute } from './middleware/error-handler';
import { httpMetrics } from './middleware/http-metrics.middleware';
import { rejectNulCharacters } from './middleware/reject-nul-characters';
import { docsRouter } from './openapi/docs.routes';
import { bulkResponseApprovalsRouter } from './routes/bulk-response-approvals.routes';
import { bulkResponseRollbackRouter } from './routes/bulk-response-rollback.routes';
import { bulkResponseEventsRouter } from './routes/bulk-response-events.routes';
import { bulkResponsesRouter } from './routes/bulk-responses.routes';
import { deviceCredentialsRouter } from './routes/device-credentials.routes';
import { edgeIqAuthRouter } from './routes/edgeiq-auth.routes';
import { fleetActionPreviewRouter } from './routes/fleet-action-preview.routes';
import { fleetActionsRouter } from './routes/fleet-actions.routes';
import { irisAuthRouter } from './routes/iris-auth.routes';
import { irisDevicesRouter } from './routes/iris-devices.routes';
import { metricsRouter } from './routes/metrics.routes';
import { platformRegistryRouter } from './routes/platform.routes';
import { sendCommandsBulkRouter } from './routes/send-commands-bulk.routes';

export const jsonBodyLimit = '1mb';

export interface AppOptions {
  /** The in-process Temporal runtime's Prometheus endpoint, appended to /metrics. */
  temporalMetricsUrl?: string;
}

const unloggedPaths = new Set(['/healthz', '/metrics']);

// The HTTP application, built apart from the process that listens, so tests drive it directly.
// Public: /healthz, /metrics, /openapi.json, /docs and the login endpoints. Everything else under
// the two dialects' prefixes requires a token.
export function createApp(dependencies: ApiDependencies, options: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(httpMetrics());
  app.use(
    pinoHttp({
      logger: dependencies.logger,
      autoLogging: { ignore: (request) => unloggedPaths.has(request.url ?? '') },
    }),
  );
  app.use(express.json({ limit: jsonBodyLimit }));
  app.use(rejectNulCharacters());

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.use(metricsRouter(dependencies.logger, options.temporalMetricsUrl));
  app.use(docsRouter());
  app.use('/api/v1/platform', edgeIqAuthRouter(dependencies));
  app.use('/api/public/v1', irisAuthRouter(dependencies));

  const requireToken = authenticate(dependencies.database);
  app.use(
    '/api/v1/platform',
    requireToken,
    platformRegistryRouter(dependencies),
    deviceCredentialsRouter(dependencies),
    fleetActionsRouter(dependencies),
    fleetActionPreviewRouter(dependencies),
    bulkResponsesRouter(dependencies),
    bulkResponseApprovalsRouter(dependencies),
    bulkResponseRollbackRouter(dependencies),
    bulkResponseEventsRouter(dependencies),
  );
  app.use(
    '/api/public/v1',
    requireToken,
    irisDevicesRouter(dependencies.database),
    sendCommandsBulkRouter(dependencies),
  );

  app.use(notFoundRoute());
  app.use(errorHandler(dependencies.logger));
  return app;
}
