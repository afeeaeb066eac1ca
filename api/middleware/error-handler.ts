import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { HttpError, type ErrorDetail } from '../errors';
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
// violations become 409, body-parser errors become 400/413, and anything else is logged and
// answered with an opaque 500.
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, request, response, _next) => {
    const error = databaseConflict(thrown) ?? thrown;
    if (error instanceof HttpError) {
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
    const bodyParserStatus = bodyParserErrorStatus(error);
    if (bodyParserStatus) {
      response
        .status(bodyParserStatus)
        .json({ error: bodyParserStatus === 413 ? 'Request body too large' : 'Malformed JSON body' });
      return;
    }
    logger.error({ err: error, method: request.method, path: request.path }, 'unhandled error');
    response.status(500).json({ error: 'An unexpected error was encountered' });
  };
}

function bodyParserErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  if (error.type === 'entity.too.large') return 413;
  if (error.type === 'entity.parse.failed') return 400;
  return undefined;
}
