import express, { type RequestHandler } from 'express';
import { BadRequestError } from '../errors';
import { assertJsonNesting } from './json-nesting';

/** The largest JSON body any route takes (device imports have their own 5 MB file limit). */
export const jsonBodyLimit = '1mb';
/** Logins and refreshes are a few hundred bytes: a caller without a token sends no more than this. */
export const anonymousJsonBodyLimit = '16kb';
/** Where bodies come without a token (mounted before the general parser, which then skips them). */
export const anonymousJsonPaths = ['/api/v1/platform/user', '/api/public/v1/auth'];

// The app's JSON body parser: size bounded while reading (413; a Content-Length above the limit is
// refused before a byte is read), nesting bounded on the raw bytes before JSON.parse (400), so no
// request reaches a recursive walk (the NUL check, zod, JSON.stringify) deeper than
// maximumJsonDepth, and none costs more than one linear pass to refuse.
export function jsonBody(limit: string = jsonBodyLimit): RequestHandler {
  return express.json({
    limit,
    verify: (_request, _response, body, encoding) => {
      // RFC 8259 §8.1: JSON between systems is UTF-8; the byte scan relies on it.
      if (encoding.toLowerCase() !== 'utf-8')
        throw new BadRequestError('Invalid request: JSON bodies must be UTF-8', [
          { field: '(body)', message: `charset ${encoding} is not supported; send UTF-8` },
        ]);
      assertJsonNesting(body, '(body)');
    },
  });
}
