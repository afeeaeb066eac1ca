import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Queryable } from '../../registry/database';
import { clearBucket, countHit, currentHits, deleteStaleBuckets } from '../../registry/rate-limits.repository';
import { TooManyRequestsError } from '../errors';

const windowSeconds = 15 * 60;

export const loginLimits = {
  /** Every login and refresh attempt from one address (guessing across many accounts). */
  attemptsPerAddress: 300,
  /** Failed logins for one account from one address. */
  failuresPerAccountAtAddress: 10,
  /** Refresh attempts presenting one refresh token. */
  attemptsPerRefreshToken: 10,
};

export interface LoginAttempt {
  account: string;
  address: string;
}

/** The caller's address as a bucket key: IPv6 callers share their /56, which one host controls. */
export function clientAddress(request: Request): string {
  return ipKeyGenerator(request.ip ?? 'unknown');
}

// Counters live in the registry, shared by every API process and kept across restarts. The
// account bucket is per address and counts failures only, so an anonymous caller elsewhere can
// never lock a user out of a correct password, and a user's own successes never count.
export async function admitLoginAttempt(database: Queryable, attempt: LoginAttempt): Promise<void> {
  await admitFromAddress(database, attempt.address);
  const failures = await currentHits(database, accountBucket(attempt), windowSeconds);
  if (failures.hits >= loginLimits.failuresPerAccountAtAddress) throw tooMany(failures.secondsLeft);
}

export async function recordLoginFailure(database: Queryable, attempt: LoginAttempt): Promise<void> {
  await countHit(database, accountBucket(attempt), windowSeconds);
}

export async function recordLoginSuccess(database: Queryable, attempt: LoginAttempt): Promise<void> {
  await clearBucket(database, accountBucket(attempt));
}

// Each refresh token has its own bucket: a burst of bad refreshes throttles that token and that
// address, never every user's refresh.
export async function admitRefreshAttempt(database: Queryable, tokenDigest: string, address: string): Promise<void> {
  await admitFromAddress(database, address);
  const attempts = await countHit(database, `refresh:${tokenDigest}`, windowSeconds);
  if (attempts.hits > loginLimits.attemptsPerRefreshToken) throw tooMany(attempts.secondsLeft);
}

async function admitFromAddress(database: Queryable, address: string): Promise<void> {
  await deleteStaleBuckets(database, 2 * windowSeconds);
  const attempts = await countHit(database, `address:${address}`, windowSeconds);
  if (attempts.hits > loginLimits.attemptsPerAddress) throw tooMany(attempts.secondsLeft);
}

function accountBucket(attempt: LoginAttempt): string {
  return `account:${attempt.account.trim().toLowerCase()}@${attempt.address}`;
}

function tooMany(retryAfterSeconds: number): TooManyRequestsError {
  return new TooManyRequestsError('Too many login attempts, try again later', retryAfterSeconds);
}
