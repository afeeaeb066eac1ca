import type { RequestHandler } from 'express';
import type { Queryable } from '../../registry/database';
import { NotAuthorizedError } from '../errors';
import { findCaller } from './caller-cache';
import { digestToken } from './opaque-token';

// Both dialects send `Authorization: <token>` or `Authorization: Bearer <token>`.
export function tokenFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const token = header.replace(/^Bearer\s+/i, '').trim();
  return token.length > 0 && token.length <= 512 ? token : undefined;
}

export function authenticate(database: Queryable): RequestHandler {
  return async (request, response, next) => {
    const token = tokenFromHeader(request.get('authorization'));
    if (!token) throw new NotAuthorizedError('Not authorized: missing token');
    const caller = await findCaller(database, digestToken(token));
    if (!caller) throw new NotAuthorizedError('Not authorized: invalid or expired token');
    response.locals.caller = caller;
    next();
  };
}
