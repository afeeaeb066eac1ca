import { Router } from 'express';
import { irisLoginRequestSchema, irisRefreshRequestSchema } from '../../contracts/auth.schema';
import { consumeRefreshToken } from '../../registry/auth-tokens.repository';
import { digestToken } from '../auth/opaque-token';
import { loginRateLimits } from '../auth/login-rate-limit';
import { loginWithPassword } from '../auth/password-login';
import { issueRefreshToken, issueSessionToken } from '../auth/token-issuer';
import type { ApiDependencies } from '../dependencies';
import { NotAuthorizedError } from '../errors';

// IRIS360 login: POST /auth/login and /auth/refresh (mounted under /api/public/v1).
export function irisAuthRouter(dependencies: ApiDependencies): Router {
  const { database } = dependencies;
  const router = Router();
  const rateLimits = loginRateLimits(dependencies);

  router.post('/auth/login', ...rateLimits, async (request, response) => {
    const body = irisLoginRequestSchema.parse(request.body);
    const user = await loginWithPassword(database, body.username, body.password);
    const [session, refresh] = await database.transaction(async (transaction) => [
      await issueSessionToken(transaction, user.id),
      await issueRefreshToken(transaction, user.id),
    ]);
    response.json({ id: user.id, token: session.token, refreshToken: refresh.token });
  });

  // Refresh tokens rotate: the one presented is consumed, a new pair is issued.
  router.post('/auth/refresh', ...rateLimits, async (request, response) => {
    const body = irisRefreshRequestSchema.parse(request.body);
    const tokens = await database.transaction(async (transaction) => {
      const userId = await consumeRefreshToken(transaction, digestToken(body.refreshToken));
      if (!userId) return undefined;
      return {
        session: await issueSessionToken(transaction, userId),
        refresh: await issueRefreshToken(transaction, userId),
      };
    });
    if (!tokens) throw new NotAuthorizedError('Not authorized: invalid or expired refresh token');
    response.json({ token: tokens.session.token, refreshToken: tokens.refresh.token });
  });

  return router;
}
