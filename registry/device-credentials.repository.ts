import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './database';

export interface DeviceCredential {
  username: string;
  password: string;
}

// Device secrets are random 192-bit values, not human passwords, so a fast digest is enough to
// store them and keeps broker authentication cheap when thousands of devices reconnect at once.
export function hashDeviceSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

// Issues (or rotates) a device's broker credential; the plaintext is returned once, never stored.
export async function issueDeviceCredential(
  database: Queryable,
  companyId: string,
  deviceId: string,
): Promise<DeviceCredential> {
  const password = randomBytes(24).toString('base64url');
  const rows = await database.query<{ id: string }>(
    'update devices set credential_hash = $3, updated_at = now() where company_id = $1 and id = $2 returning id',
    [companyId, deviceId, hashDeviceSecret(password)],
  );
  if (rows.length === 0) throw new Error(`device ${deviceId} not found`);
  return { username: deviceId, password };
}
