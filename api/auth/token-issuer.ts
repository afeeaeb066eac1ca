import type { Queryable } from '../../registry/database';
import { insertToken, revokeTokens, type TokenKind } from '../../registry/auth-tokens.repository';
import { forgetCallersOf } from './caller-cache';
import { newOpaqueToken } from './opaque-token';

export const defaultSessionSeconds = 4 * 3600;
export const maximumSessionSeconds = 7 * 24 * 3600;
export const refreshTokenSeconds = 30 * 24 * 3600;

export interface IssuedToken {
  token: string;
  expiresAt: Date | null;
}

async function issue(
  database: Queryable,
  userId: string,
  kind: TokenKind,
  lifetimeSeconds: number | null,
): Promise<IssuedToken> {
  const { token, tokenHash } = newOpaqueToken();
  const expiresAt = lifetimeSeconds === null ? null : new Date(Date.now() + lifetimeSeconds * 1000);
  await insertToken(database, { tokenHash, userId, kind, expiresAt });
  return { token, expiresAt };
}

export function issueSessionToken(
  database: Queryable,
  userId: string,
  lifetimeSeconds = defaultSessionSeconds,
): Promise<IssuedToken> {
  return issue(database, userId, 'session', lifetimeSeconds);
}

export function issueRefreshToken(database: Queryable, userId: string): Promise<IssuedToken> {
  return issue(database, userId, 'refresh', refreshTokenSeconds);
}

// A user holds one API token: resetting it revokes the previous one. It does not expire.
export async function resetApiToken(database: Queryable, userId: string): Promise<IssuedToken> {
  await revokeTokens(database, userId, 'api');
  forgetCallersOf(userId);
  return issue(database, userId, 'api', null);
}
