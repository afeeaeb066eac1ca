import type { RequestHandler } from 'express';
import { BadRequestError, type ErrorDetail } from '../errors';

// NUL, or half of a UTF-16 surrogate pair (which JSON.stringify writes as a \ud800 escape that
// jsonb refuses).
const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function isUnstorable(text: string): boolean {
  return text.includes('\u0000') || unpairedSurrogate.test(text);
}
export const nulMessage = 'must not contain the NUL character (\\u0000) or an unpaired surrogate';

// PostgreSQL (and PGlite) refuse NUL and invalid Unicode in text and jsonb, so such a string that
// reached a query would surface as a 500. Refusing it once here, for the path, every query value
// and every parsed JSON or text body, turns it into a 400 naming the field for every route.
export function rejectNulCharacters(): RequestHandler {
  return (request, _response, next) => {
    const fields = [
      ...(isUnstorable(safelyDecoded(request.path)) ? ['path'] : []),
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

/** Every path (dotted, as the 400 details name fields) under `value` whose key or string PostgreSQL refuses. */
export function nulPaths(value: unknown, where: string): string[] {
  if (typeof value === 'string') return isUnstorable(value) ? [where || '(body)'] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = where ? `${where}.${key}` : key;
    return isUnstorable(key) ? [where || '(body)'] : nulPaths(child, path);
  });
}

function safelyDecoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
