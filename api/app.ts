import express from 'express';
import { pinoHttp } from 'pino-http';
import { auditRouter } from './audit/audit.routes';
import { authenticate } from './auth/authenticate.middleware';
import type { ApiDependencies } from './dependencies';
import { errorHandler, notFoundRoute } from './middleware/error-handler';
import { httpMetrics } from './middleware/http-metrics.middleware';
import { anonymousJsonBodyLimit, anonymousJsonPaths, jsonBody } from './middleware/json-body';
import { methodNotAllowed } from './middleware/method-not-allowed';
import { rejectNulCharacters } from './middleware/reject-nul-characters';
import { requireRole } from './middleware/require-role';
import { docsRouter } from './openapi/docs.routes';
import { bulkResponseApprovalsRouter } from './routes/bulk-response-approvals.routes';
import { bulkResponseRollbackRouter } from './routes/bulk-response-rollback.routes';
import { openApiDocument } from './openapi/openapi-document';
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

export interface AppOptions {
  /** The in-process Temporal runtime's Prometheus endpoint, appended to /metrics. */
  temporalMetricsUrl?: string;
}

const unloggedPaths = new Set(['/healthz', '/metrics']);

// The HTTP application, built apart from the process that listens, so tests drive it directly.
// Public: /healthz, /openapi.json, /docs and the login endpoints. /metrics takes an admin's token,
// and everything else under the two dialects' prefixes a token.
export function createApp(dependencies: ApiDependencies, options: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // The caller's address (request.ip: the login limiter's key) from X-Forwarded-For only through
  // the proxies TRUST_PROXY names; express refuses a malformed list here, at start.
  app.set('trust proxy', dependencies.config.api.trustProxy);
  app.use(httpMetrics());
  app.use(
    pinoHttp({
      logger: dependencies.logger,
      autoLogging: { ignore: (request) => unloggedPaths.has(request.url ?? '') },
    }),
  );
  // Anonymous callers (the logins) get 16 KB, so without a token nobody makes the API parse a
  // megabyte; everything else 1 MB.
  app.use(anonymousJsonPaths, jsonBody(anonymousJsonBodyLimit));
  app.use(jsonBody());
  app.use(rejectNulCharacters());
  app.use(methodNotAllowed(openApiDocument()));
  // Ahead of every route: the audited ones get their entry armed, whatever answers them.
  app.use(auditRouter(dependencies));

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  const requireToken = authenticate(dependencies.database);
  app.use(metricsRouter(dependencies.logger, options.temporalMetricsUrl, [requireToken, requireRole('admin')]));
  app.use(docsRouter());
  app.use('/api/v1/platform', edgeIqAuthRouter(dependencies));
  app.use('/api/public/v1', irisAuthRouter(dependencies));

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
