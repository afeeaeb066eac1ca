import type { RequestHandler } from 'express';
import { BadRequestError, type ErrorDetail } from '../errors';

const nulCharacter = '\u0000';
export const nulMessage = 'must not contain the NUL character (\\u0000)';

// PostgreSQL (and PGlite) refuse NUL in text, so a NUL that reached a query would surface as a
// 500. Refusing it once here, for the path, every query value and every parsed JSON or text body,
// turns it into a 400 naming the field for every route at once.
export function rejectNulCharacters(): RequestHandler {
  return (request, _response, next) => {
    const fields = [
      ...(safelyDecoded(request.path).includes(nulCharacter) ? ['path'] : []),
      ...nulPaths(request.query, 'query'),
      ...nulPaths(request.body, ''),
    ];
    if (fields.length === 0) {
      next();
      return;
    }
    const details: ErrorDetail[] = fields.map((field) => ({ field, message: nulMessage }));
    next(new BadRequestError(`Invalid request: ${fields.join(', ')}`, details));
  };
}

/** Every path (dotted, as the 400 details name fields) under `value` whose key or string holds NUL. */
export function nulPaths(value: unknown, where: string): string[] {
  if (typeof value === 'string') return value.includes(nulCharacter) ? [where || '(body)'] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = where ? `${where}.${key}` : key;
    return key.includes(nulCharacter) ? [where || '(body)'] : nulPaths(child, path);
  });
}

function safelyDecoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
