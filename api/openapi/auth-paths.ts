import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import {
  apiTokenResetRequestSchema,
  apiTokenUserSchema,
  authenticateRequestSchema,
  irisLoginRequestSchema,
  irisLoginResponseSchema,
  irisRefreshRequestSchema,
  irisRefreshResponseSchema,
  sessionUserSchema,
  userSchema,
} from '../../contracts/auth.schema';
import { errorBodySchema } from '../../contracts/registry-common.schema';
import { errorResponses, security } from './registry-paths';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const loginErrors = {
  400: errorResponses[400],
  401: errorResponses[401],
  429: {
    description: 'Too many attempts from this address, for this account from this address, or with this refresh token',
    headers: { 'Retry-After': { description: 'Seconds until the window ends', schema: { type: 'integer' as const } } },
    ...json(errorBodySchema),
  },
};

export function registerAuthPaths(registry: OpenAPIRegistry) {
  const login = (path: string, tag: string, summary: string, body: z.ZodType, answer: z.ZodType) =>
    registry.registerPath({
      method: 'post',
      path,
      tags: [tag],
      summary,
      // Public: these operations are how a caller obtains a token.
      security: [],
      request: { body: { required: true, ...json(body) } },
      responses: { 200: { description: 'OK', ...json(answer) }, ...loginErrors },
    });
  login(
    '/api/v1/platform/user/authenticate',
    'EdgeIQ auth',
    'Log in: a session token',
    authenticateRequestSchema,
    sessionUserSchema,
  );
  login(
    '/api/v1/platform/user/api_token_reset',
    'EdgeIQ auth',
    'Issue a new long-lived API token',
    apiTokenResetRequestSchema,
    apiTokenUserSchema,
  );
  login(
    '/api/public/v1/auth/login',
    'IRIS360 auth',
    'Log in: a token and a refresh token',
    irisLoginRequestSchema,
    irisLoginResponseSchema,
  );
  login(
    '/api/public/v1/auth/refresh',
    'IRIS360 auth',
    'Rotate a refresh token',
    irisRefreshRequestSchema,
    irisRefreshResponseSchema,
  );
  registry.registerPath({
    method: 'get',
    path: '/api/v1/platform/me',
    tags: ['EdgeIQ auth'],
    summary: 'The calling user',
    security,
    responses: { 200: { description: 'OK', ...json(userSchema) }, 401: errorResponses[401] },
  });
}
