import { randomBytes } from 'node:crypto';
import { issueSessionToken } from '../../api/auth/token-issuer';
import type { Queryable } from '../../registry/database';
import { createFleet } from '../../registry/fleets.repository';
import { hashPassword } from '../../registry/password-hashing';
import { createUser } from '../../registry/users.repository';

export interface BenchTenant {
  authorization: string;
  /** An admin's, for the API's /metrics. */
  metricsAuthorization: string;
  fleetId: string;
}

// An operator of the benchmark's company with a session token, and a fleet of every device
// (criteria {}), so the action goes through the same route and checks an API client's would.
export async function createBenchTenant(database: Queryable, companyId: string): Promise<BenchTenant> {
  const fleet = await createFleet(database, companyId, { name: 'every device', criteria: {} });
  return {
    authorization: await benchUserAuthorization(database, companyId, 'operator'),
    metricsAuthorization: await benchUserAuthorization(database, companyId, 'admin'),
    fleetId: fleet._id,
  };
}

async function benchUserAuthorization(database: Queryable, companyId: string, role: 'operator' | 'admin') {
  const user = await createUser(database, companyId, {
    email: `bench-${role}-${randomBytes(4).toString('hex')}@example.com`,
    passwordHash: await hashPassword(randomBytes(18).toString('base64url')),
    role,
  });
  return `Bearer ${(await issueSessionToken(database, user.id)).token}`;
}
