import { randomBytes } from 'node:crypto';
import { issueSessionToken } from '../api/auth/token-issuer';
import type { Queryable } from '../registry/database';
import { createFleet } from '../registry/fleets.repository';
import { hashPassword } from '../registry/password-hashing';
import { insertGeneratedCompany } from '../registry/simulated-devices.repository';
import { createUser } from '../registry/users.repository';
import type { SimulatedDevice } from '../simulator/simulated-device';

// A company of generated devices with broker credentials, an operator's session token and a
// fleet of every device, so a fault run starts actions through the API like a client would.
export interface FaultTenant {
  companyId: string;
  devices: SimulatedDevice[];
  authorization: string;
  fleetId: string;
}

export async function createFaultTenant(database: Queryable, deviceCount: number): Promise<FaultTenant> {
  const { companyId, devices } = await insertGeneratedCompany(
    database,
    `faults-${randomBytes(4).toString('hex')}`,
    deviceCount,
  );
  const user = await createUser(database, companyId, {
    email: `faults-${randomBytes(4).toString('hex')}@example.com`,
    passwordHash: await hashPassword(randomBytes(18).toString('base64url')),
    role: 'operator',
  });
  const { token } = await issueSessionToken(database, user.id);
  const fleet = await createFleet(database, companyId, { name: 'every device', criteria: {} });
  return { companyId, devices, authorization: `Bearer ${token}`, fleetId: fleet._id };
}
