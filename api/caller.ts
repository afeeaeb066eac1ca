import type { Response } from 'express';
import { NotAuthorizedError } from './errors';

export type Role = 'viewer' | 'operator' | 'admin';

// Who is calling, as established by the auth middleware from the request's token.
export interface Caller {
  userId: string;
  companyId: string;
  role: Role;
  email: string;
}

export function callerOf(response: Response): Caller {
  const caller = (response.locals as { caller?: Caller }).caller;
  if (!caller) throw new NotAuthorizedError();
  return caller;
}
