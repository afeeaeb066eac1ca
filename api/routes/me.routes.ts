import { Router } from 'express';
import type { Database } from '../../registry/database';
import { getUser } from '../../registry/users.repository';
import { callerOf } from '../caller';
import { NotAuthorizedError } from '../errors';
import { presentUser } from './user.presenter';

// GET /me: the user the token belongs to.
export function meRouter(database: Database): Router {
  const router = Router();
  router.get('/me', async (_request, response) => {
    const caller = callerOf(response);
    const user = await getUser(database, caller.companyId, caller.userId);
    if (!user) throw new NotAuthorizedError();
    response.json(presentUser(user));
  });
  return router;
}
