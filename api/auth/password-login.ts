import { deleteExpiredTokensOf } from '../../registry/auth-tokens.repository';
import type { Queryable } from '../../registry/database';
import { verifyAgainstDecoy, verifyPassword } from '../../registry/password-hashing';
import { findUserForLogin, type UserRow, type UserWithHash } from '../../registry/users.repository';
import { NotAuthorizedError } from '../errors';

// One answer for an unknown email and a wrong password, so logins do not reveal accounts.
export async function loginWithPassword(database: Queryable, email: string, password: string): Promise<UserRow> {
  const user = await findUserForLogin(database, email);
  const valid = user ? await verifyPassword(user.password_hash, password) : await verifyAgainstDecoy(password);
  if (!user || !valid) throw new NotAuthorizedError('Not authorized: wrong email or password');
  await deleteExpiredTokensOf(database, user.id);
  return withoutPasswordHash(user);
}

function withoutPasswordHash(user: UserWithHash): UserRow {
  const copy: Partial<UserWithHash> = { ...user };
  delete copy.password_hash;
  return copy as UserRow;
}
