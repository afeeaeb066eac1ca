import { Router } from 'express';
import { apiTokenResetRequestSchema, authenticateRequestSchema } from '../../contracts/auth.schema';
import { clientAddress } from '../auth/login-rate-limit';
import { loginWithPassword } from '../auth/password-login';
import { issueSessionToken, resetApiToken } from '../auth/token-issuer';
import type { ApiDependencies } from '../dependencies';
import { presentUser } from './user.presenter';

// EdgeIQ login: POST /user/authenticate and /user/api_token_reset (mounted under /api/v1/platform).
export function edgeIqAuthRouter(dependencies: ApiDependencies): Router {
  const { database } = dependencies;
  const router = Router();

  router.post('/user/authenticate', async (request, response) => {
    const body = authenticateRequestSchema.parse(request.body);
    const user = await loginWithPassword(database, {
      email: body.email,
      password: body.password,
      address: clientAddress(request),
    });
    const session = await issueSessionToken(database, user.id, body.token_expiry);
    response.json({
      ...presentUser(user),
      session_token: session.token,
      session_expires_at: session.expiresAt?.toISOString(),
    });
  });

  router.post('/user/api_token_reset', async (request, response) => {
    const body = apiTokenResetRequestSchema.parse(request.body);
    const user = await loginWithPassword(database, {
      email: body.email,
      password: body.password,
      address: clientAddress(request),
    });
    const apiToken = await database.transaction((transaction) => resetApiToken(transaction, user.id));
    response.json({ ...presentUser(user), api_token: apiToken.token });
  });

  return router;
}
