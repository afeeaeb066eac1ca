import type { RoleName } from '../../contracts/auth.schema';
import type { Queryable } from '../../registry/database';
import { verifyPassword } from '../../registry/password-hashing';
import { lockCompanyAdmins, passwordHashOf } from '../../registry/users.repository';
import type { Caller } from '../caller';
import { BadRequestError, ConflictError, ForbiddenError } from '../errors';

// What keeps a company from locking itself out through its own users API (issue 19 item 6): its
// last admin can be neither deleted nor demoted (409), by anyone, however requests interleave
// (the check locks the company's admin rows in the write's transaction); an admin neither deletes
// nor demotes themselves; and a user changes their own password only by giving the current one,
// so a stolen session or a script cannot set a password nobody knows. Each runs inside the
// transaction of the write it guards.

export async function assertAdminRemains(
  transaction: Queryable,
  caller: Caller,
  userId: string,
  change: 'delete' | { role: RoleName | undefined },
): Promise<void> {
  const removesAdmin = change === 'delete' || (change.role !== undefined && change.role !== 'admin');
  if (!removesAdmin) return;
  if (userId === caller.userId)
    throw new ConflictError(
      change === 'delete'
        ? 'You cannot delete yourself: another admin can'
        : 'You cannot take the admin role from yourself: another admin can',
    );
  const admins = await lockCompanyAdmins(transaction, caller.companyId);
  if (admins.length === 1 && admins[0] === userId)
    throw new ConflictError(
      'This is the last admin of the company: make another user admin first, or nobody could manage users',
    );
}

export async function assertOwnPasswordChange(
  transaction: Queryable,
  caller: Caller,
  userId: string,
  change: { password: string | undefined; currentPassword: string | undefined },
): Promise<void> {
  if (userId !== caller.userId || change.password === undefined) return;
  if (change.currentPassword === undefined)
    throw new BadRequestError('Invalid request: current_password', [
      {
        field: 'current_password',
        message: 'required to change your own password (every session of yours, this one included, ends)',
      },
    ]);
  const hash = await passwordHashOf(transaction, caller.companyId, userId);
  if (!hash || !(await verifyPassword(hash, change.currentPassword)))
    throw new ForbiddenError('Forbidden: current_password is not your password');
}
