import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { HttpError, TooManyRequestsError, type ErrorDetail } from '../errors';
import { databaseConflict } from './database-errors';

export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
}

export function notFoundRoute(): RequestHandler {
  return (request, response) => {
    response.status(404).json({ error: `No route for ${request.method} ${request.path}` });
  };
}

// The one place where errors become HTTP: known errors keep their status and message, constraint
// violations become 409, malformed requests become 400 (413 when too large), and anything else is logged and
// answered with an opaque 500.
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, request, response, _next) => {
    const error = databaseConflict(thrown) ?? thrown;
    if (error instanceof HttpError) {
      if (error instanceof TooManyRequestsError) response.set('Retry-After', String(error.retryAfterSeconds));
      response
        .status(error.status)
        .json(error.details ? { error: error.message, details: error.details } : { error: error.message });
      return;
    }
    if (error instanceof ZodError) {
      const details = zodDetails(error);
      response
        .status(400)
        .json({ error: `Invalid request: ${details.map((detail) => detail.field).join(', ')}`, details });
      return;
    }
    const clientStatus = clientErrorStatus(error);
    if (clientStatus) {
      response.status(clientStatus).json({ error: clientErrorMessage(error, clientStatus) });
      return;
    }
    logger.error({ err: error, method: request.method, path: request.path }, 'unhandled error');
    response.status(500).json({ error: 'An unexpected error was encountered' });
  };
}

// Express and its body parsers mark what the client got wrong (malformed JSON or path encoding,
// an unsupported charset or encoding) with a 4xx `status`; all but an oversized body are answered
// 400, the status every operation documents.
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if ('type' in error && error.type === 'entity.too.large') return 413;
  const status = 'status' in error && typeof error.status === 'number' ? error.status : undefined;
  return status !== undefined && status >= 400 && status < 500 ? 400 : undefined;
}

function clientErrorMessage(error: unknown, status: number): string {
  if (status === 413) return 'Request body too large';
  if (typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.parse.failed')
    return 'Malformed JSON body';
  return 'Malformed request';
}
