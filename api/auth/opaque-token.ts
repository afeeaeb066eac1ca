import { createHash, randomBytes } from 'node:crypto';

// Tokens are opaque 256-bit random strings stored only as SHA-256 digests: a leaked table does
// not open the API, and deleting a row revokes a token (a JWT could not be revoked): at once in the
// process that deleted it, within a second in the others (caller-cache.ts).
export function newOpaqueToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: digestToken(token) };
}

export function digestToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
