import { Router } from 'express';
import { irisLoginRequestSchema, irisRefreshRequestSchema } from '../../contracts/auth.schema';
import { consumeRefreshToken } from '../../registry/auth-tokens.repository';
import { digestToken } from '../auth/opaque-token';
import { admitRefreshAttempt, clientAddress } from '../auth/login-rate-limit';
import { loginWithPassword } from '../auth/password-login';
import { issueRefreshToken, issueSessionToken } from '../auth/token-issuer';
import type { ApiDependencies } from '../dependencies';
import { NotAuthorizedError } from '../errors';

// IRIS360 login: POST /auth/login and /auth/refresh (mounted under /api/public/v1).
export function irisAuthRouter(dependencies: ApiDependencies): Router {
  const { database } = dependencies;
  const router = Router();

  router.post('/auth/login', async (request, response) => {
    const body = irisLoginRequestSchema.parse(request.body);
    const user = await loginWithPassword(database, {
      email: body.username,
      password: body.password,
      address: clientAddress(request),
    });
    const [session, refresh] = await database.transaction(async (transaction) => [
      await issueSessionToken(transaction, user.id),
      await issueRefreshToken(transaction, user.id),
    ]);
    response.json({ id: user.id, token: session.token, refreshToken: refresh.token });
  });

  // Refresh tokens rotate: the one presented is consumed, a new pair is issued.
  router.post('/auth/refresh', async (request, response) => {
    const body = irisRefreshRequestSchema.parse(request.body);
    const digest = digestToken(body.refreshToken);
    await admitRefreshAttempt(database, digest, clientAddress(request));
    const tokens = await database.transaction(async (transaction) => {
      const userId = await consumeRefreshToken(transaction, digest);
      if (!userId) return undefined;
      return {
        userId,
        session: await issueSessionToken(transaction, userId),
        refresh: await issueRefreshToken(transaction, userId),
      };
    });
    if (!tokens) throw new NotAuthorizedError('Not authorized: invalid or expired refresh token');
    // The audit trail's actor: the request carried no access token, only this user's refresh token.
    response.locals.tokenOwnerId = tokens.userId;
    response.json({ token: tokens.session.token, refreshToken: tokens.refresh.token });
  });

  return router;
}
