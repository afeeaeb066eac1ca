import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from './database';

export interface DeviceCredential {
  username: string;
  password: string;
}

export interface DeviceCredentialRecord {
  deviceId: string;
  companyId: string;
  credentialHash: string;
}

// Device secrets are random 192-bit values, not human passwords, so one salted digest is enough
// and keeps broker authentication cheap when thousands of devices reconnect at once. The format
// is Mosquitto's password-file hash ("$6$" + base64 salt + "$" + base64 sha512(secret || salt)),
// so the registry's column can be exported to Mosquitto as it is, without any plaintext.
export function hashDeviceSecret(secret: string, salt: Buffer = randomBytes(12)): string {
  const digest = createHash('sha512').update(secret).update(salt).digest('base64');
  return `$6$${salt.toString('base64')}$${digest}`;
}

export function verifyDeviceSecret(secret: string, storedHash: string): boolean {
  const [, scheme, salt, digest] = storedHash.split('$');
  if (scheme !== '6' || salt === undefined || digest === undefined) return false;
  const expected = Buffer.from(storedHash);
  const actual = Buffer.from(hashDeviceSecret(secret, Buffer.from(salt, 'base64')));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

// The broker username of a device is its id: ids are unique across companies and carry no
// MQTT separators, and the device's company is looked up from it.
export function deviceUsername(deviceId: string): string {
  return deviceId;
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
  return { username: deviceUsername(deviceId), password };
}

export interface IssuedDeviceCredential extends DeviceCredential {
  device_id: string;
  unique_id: string;
}

// Rotates the credentials of many devices of one company in one statement; ids of other
// companies are ignored. Plaintexts are returned once, in device id order.
export async function rotateDeviceCredentials(
  database: Queryable,
  companyId: string,
  deviceIds: readonly string[],
): Promise<IssuedDeviceCredential[]> {
  const passwords = new Map(deviceIds.map((deviceId) => [deviceId, randomBytes(24).toString('base64url')]));
  const rows = await database.query<{ id: string; unique_id: string }>(
    `update devices d set credential_hash = issued.hash, updated_at = now()
       from unnest($2::text[], $3::text[]) as issued(id, hash)
      where d.company_id = $1 and d.id = issued.id
      returning d.id, d.unique_id`,
    [companyId, [...passwords.keys()], [...passwords.values()].map((password) => hashDeviceSecret(password))],
  );
  return rows
    .sort((left, right) => left.id.localeCompare(right.id))
    .map((row) => ({
      device_id: row.id,
      unique_id: row.unique_id,
      username: deviceUsername(row.id),
      password: passwords.get(row.id)!,
    }));
}

export async function findDeviceCredential(
  database: Queryable,
  username: string,
): Promise<DeviceCredentialRecord | undefined> {
  const rows = await database.query<DeviceCredentialRecord>(
    `select id as "deviceId", company_id as "companyId", credential_hash as "credentialHash"
       from devices where id = $1 and credential_hash is not null`,
    [username],
  );
  return rows[0];
}

// Every device that holds a credential, in id order, a page at a time (for broker exports).
export async function listDeviceCredentials(
  database: Queryable,
  afterDeviceId: string,
  limit: number,
): Promise<DeviceCredentialRecord[]> {
  return database.query<DeviceCredentialRecord>(
    `select id as "deviceId", company_id as "companyId", credential_hash as "credentialHash"
       from devices where credential_hash is not null and id > $1 order by id limit $2`,
    [afterDeviceId, limit],
  );
}
