import type { RoleName } from '../contracts/auth.schema';
import type { Queryable } from './database';

export type TokenKind = 'session' | 'api' | 'refresh';

// The user a token belongs to, shaped as the API's Caller.
export interface TokenOwner {
  userId: string;
  companyId: string;
  role: RoleName;
  email: string;
}

export async function insertToken(
  database: Queryable,
  token: { tokenHash: string; userId: string; kind: TokenKind; expiresAt: Date | null },
): Promise<void> {
  await database.query('insert into auth_tokens (token_hash, user_id, kind, expires_at) values ($1, $2, $3, $4)', [
    token.tokenHash,
    token.userId,
    token.kind,
    token.expiresAt,
  ]);
}

// Session and API tokens open the API; refresh tokens only buy new tokens and are refused here.
export async function findTokenOwner(
  database: Queryable,
  tokenHash: string,
): Promise<{ owner: TokenOwner; expiresAt: Date | null } | undefined> {
  const rows = await database.query<TokenOwner & { expiresAt: Date | null }>(
    `select u.id as "userId", u.company_id as "companyId", u.role, u.email, t.expires_at as "expiresAt"
     from auth_tokens t join users u on u.id = t.user_id
     where t.token_hash = $1 and t.kind in ('session', 'api') and (t.expires_at is null or t.expires_at > now())`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { expiresAt, ...owner } = row;
  return { owner, expiresAt: expiresAt === null ? null : new Date(expiresAt) };
}

// Deleting while reading makes rotation atomic: a refresh token works once, even when two
// requests race with it.
export async function consumeRefreshToken(database: Queryable, tokenHash: string): Promise<string | undefined> {
  const rows = await database.query<{ user_id: string; expired: boolean }>(
    `delete from auth_tokens where token_hash = $1 and kind = 'refresh' returning user_id, expires_at <= now() as expired`,
    [tokenHash],
  );
  const row = rows[0];
  return row && !row.expired ? row.user_id : undefined;
}

export async function revokeTokens(database: Queryable, userId: string, kind: TokenKind): Promise<void> {
  await database.query('delete from auth_tokens where user_id = $1 and kind = $2', [userId, kind]);
}

// Expired tokens are useless; each login sweeps its own user's, so the table stays small
// without a scheduled job.
export async function deleteExpiredTokensOf(database: Queryable, userId: string): Promise<void> {
  await database.query('delete from auth_tokens where user_id = $1 and expires_at <= now()', [userId]);
}

export async function revokeAllTokens(database: Queryable, userId: string): Promise<void> {
  await database.query('delete from auth_tokens where user_id = $1', [userId]);
}
