import { deleteExpiredTokensOf } from '../../registry/auth-tokens.repository';
import type { Queryable } from '../../registry/database';
import { verifyAgainstDecoy, verifyPassword } from '../../registry/password-hashing';
import { findUserForLogin, type UserRow, type UserWithHash } from '../../registry/users.repository';
import { NotAuthorizedError } from '../errors';
import { admitLoginAttempt, recordLoginFailure, recordLoginSuccess } from './login-rate-limit';

export interface PasswordLogin {
  email: string;
  password: string;
  /** The caller's address (clientAddress), for throttling. */
  address: string;
}

// One answer for an unknown email and a wrong password, so logins do not reveal accounts.
// Throttled before the password hash is computed, so a refused attempt costs no argon2 work.
export async function loginWithPassword(database: Queryable, login: PasswordLogin): Promise<UserRow> {
  const attempt = { account: login.email, address: login.address };
  await admitLoginAttempt(database, attempt);
  const user = await findUserForLogin(database, login.email);
  const valid = user
    ? await verifyPassword(user.password_hash, login.password)
    : await verifyAgainstDecoy(login.password);
  if (!user || !valid) {
    await recordLoginFailure(database, attempt);
    throw new NotAuthorizedError('Not authorized: wrong email or password');
  }
  await recordLoginSuccess(database, attempt);
  await deleteExpiredTokensOf(database, user.id);
  return withoutPasswordHash(user);
}

function withoutPasswordHash(user: UserWithHash): UserRow {
  const copy: Partial<UserWithHash> = { ...user };
  delete copy.password_hash;
  return copy as UserRow;
}
