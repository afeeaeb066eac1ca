import type { RequestHandler } from 'express';
import { callerOf, type Role } from '../caller';
import { ForbiddenError } from '../errors';

const roleRank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function hasRole(role: Role, minimum: Role): boolean {
  return roleRank[role] >= roleRank[minimum];
}

// Answers 403 for a known caller below `minimum`; an unknown caller gets 401 from callerOf.
export function requireRole(minimum: Role): RequestHandler {
  return (_request, response, next) => {
    if (!hasRole(callerOf(response).role, minimum)) throw new ForbiddenError(`Forbidden: requires the ${minimum} role`);
    next();
  };
}
