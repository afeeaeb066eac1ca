import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findCaller, forgetCallersOf } from '../../api/auth/caller-cache';
import { newOpaqueToken } from '../../api/auth/opaque-token';
import { openTestDatabase, type TestDatabase } from '../../harness/test-database';
import { insertToken, revokeAllTokens } from '../../registry/auth-tokens.repository';
import { createCompany } from '../../registry/companies.repository';
import type { Queryable } from '../../registry/database';
import { createUser } from '../../registry/users.repository';

describe('caller cache (registry lookups of tokens)', () => {
  let database: TestDatabase;
  let userId: string;
  let lookups = 0;
  // Counts the registry queries the cache lets through.
  const counted: Queryable = {
    query: <Row>(sql: string, params?: readonly unknown[]) => {
      lookups += 1;
      return database.query<Row>(sql, params);
    },
  };

  before(async () => {
    database = await openTestDatabase();
    const company = await createCompany(database, 'Cache Co');
    const user = await createUser(database, company.id, {
      email: 'cache@example.com',
      passwordHash: 'not-a-real-hash',
      role: 'operator',
    });
    userId = user.id;
  });
  after(() => database?.close());

  async function issue(expiresInMilliseconds: number | null): Promise<string> {
    const { tokenHash } = newOpaqueToken();
    const expiresAt = expiresInMilliseconds === null ? null : new Date(Date.now() + expiresInMilliseconds);
    await insertToken(database, { tokenHash, userId, kind: 'session', expiresAt });
    return tokenHash;
  }

  it('when a token is presented again within a second, then the registry is asked once', async () => {
    const tokenHash = await issue(3_600_000);
    lookups = 0;
    const first = await findCaller(counted, tokenHash);
    const second = await findCaller(counted, tokenHash);
    assert.equal(first?.userId, userId);
    assert.deepEqual(second, first);
    assert.equal(lookups, 1);
  });

  it('when the user is forgotten after a revocation, then the next request is refused at once', async () => {
    const tokenHash = await issue(3_600_000);
    assert.ok(await findCaller(counted, tokenHash));
    await revokeAllTokens(database, userId);
    forgetCallersOf(userId);
    assert.equal(await findCaller(counted, tokenHash), undefined);
  });

  it('when a token expires within the second, then it is not accepted past its expiry', async () => {
    const tokenHash = await issue(300);
    assert.ok(await findCaller(counted, tokenHash));
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(await findCaller(counted, tokenHash), undefined);
  });

  it('when a token is unknown, then the refusal is not remembered and the token works once issued', async () => {
    const { tokenHash } = newOpaqueToken();
    assert.equal(await findCaller(counted, tokenHash), undefined);
    await insertToken(database, { tokenHash, userId, kind: 'api', expiresAt: null });
    assert.equal((await findCaller(counted, tokenHash))?.userId, userId);
  });
});
