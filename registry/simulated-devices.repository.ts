import { randomBytes } from 'node:crypto';
import type { Queryable } from './database';
import { deviceUsername, hashDeviceSecret } from './device-credentials.repository';
import { newObjectId } from './object-id';

export interface GeneratedDevice {
  companyId: string;
  deviceId: string;
  username: string;
  password: string;
}

// Devices made up for the simulator, benchmarks and tests: one gateway type and `count` devices
// with fresh broker credentials, written in a few statements so thousands take a moment.
export async function insertGeneratedDevices(
  database: Queryable,
  companyId: string,
  count: number,
): Promise<GeneratedDevice[]> {
  const deviceTypeId = newObjectId();
  await database.query(
    `insert into device_types (id, company_id, name, type, capabilities)
     values ($1, $2, 'simulated gateway', 'gateway', '{"actions": {"reboot": true, "heartbeat": true, "status": true}}')`,
    [deviceTypeId, companyId],
  );
  const devices = Array.from({ length: count }, () => {
    const deviceId = newObjectId();
    return { companyId, deviceId, username: deviceUsername(deviceId), password: randomBytes(24).toString('base64url') };
  });
  await database.query(
    `insert into devices (id, company_id, unique_id, device_type_id, credential_hash)
     select id, $1, 'sim-' || id, $2, credential_hash from unnest($3::text[], $4::text[]) as d(id, credential_hash)`,
    [
      companyId,
      deviceTypeId,
      devices.map((device) => device.deviceId),
      devices.map((device) => hashDeviceSecret(device.password)),
    ],
  );
  return devices;
}

export async function insertGeneratedCompany(
  database: Queryable,
  name: string,
  count: number,
): Promise<{ companyId: string; devices: GeneratedDevice[] }> {
  const companyId = newObjectId();
  await database.query('insert into companies (id, name) values ($1, $2)', [companyId, name]);
  return { companyId, devices: await insertGeneratedDevices(database, companyId, count) };
}
