import { LRUCache } from 'lru-cache';
import type { Queryable } from '../../registry/database';
import { findTokenOwner, type TokenOwner } from '../../registry/auth-tokens.repository';

// Clients polling a rollout send the same token several times a second, and each registry round
// trip costs the API a socket write and a wait for PostgreSQL: under the status benchmark a fifth
// of the API's CPU went to writing queries, half of them token lookups. So the owner of a token
// is remembered for a second (never past the token's expiry). A revocation made through this
// process forgets at once; another API process may accept a revoked token for that second.
const rememberMilliseconds = 1_000;
const owners = new LRUCache<string, TokenOwner>({ max: 10_000, ttl: rememberMilliseconds });

export async function findCaller(database: Queryable, tokenHash: string): Promise<TokenOwner | undefined> {
  const remembered = owners.get(tokenHash);
  if (remembered) return remembered;
  const found = await findTokenOwner(database, tokenHash);
  if (!found) return undefined;
  const untilExpiry = found.expiresAt === null ? rememberMilliseconds : found.expiresAt.getTime() - Date.now();
  if (untilExpiry > 0) owners.set(tokenHash, found.owner, { ttl: Math.min(rememberMilliseconds, untilExpiry) });
  return found.owner;
}

// After a user's tokens are revoked, or their role or company membership changes.
export function forgetCallersOf(userId: string): void {
  for (const [tokenHash, owner] of owners.entries()) if (owner.userId === userId) owners.delete(tokenHash);
}
