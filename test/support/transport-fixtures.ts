import { randomBytes } from 'node:crypto';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { Queryable } from '../../registry/database';
import { deviceUsername, hashDeviceSecret } from '../../registry/device-credentials.repository';
import { newObjectId } from '../../registry/object-id';
import type { SimulatedDevice } from '../../simulator/simulated-device';

export const silentLogger = pino({ level: 'silent' });

export interface TestCompany {
  companyId: string;
  devices: SimulatedDevice[];
}

// A company with one device type and `count` devices holding fresh broker credentials, inserted
// in a few statements so benchmarks can create thousands quickly.
export async function insertCompanyWithDevices(database: Queryable, count: number): Promise<TestCompany> {
  const companyId = newObjectId();
  await database.query('insert into companies (id, name) values ($1, $2)', [companyId, `company-${companyId}`]);
  return { companyId, devices: await insertDevices(database, companyId, count) };
}

export async function insertDevices(database: Queryable, companyId: string, count: number): Promise<SimulatedDevice[]> {
  const deviceTypeId = newObjectId();
  await database.query(`insert into device_types (id, company_id, name, type) values ($1, $2, 'gateway', 'gateway')`, [
    deviceTypeId,
    companyId,
  ]);
  const devices = Array.from({ length: count }, () => {
    const deviceId = newObjectId();
    return { companyId, deviceId, username: deviceUsername(deviceId), password: randomBytes(24).toString('base64url') };
  });
  await database.query(
    `insert into devices (id, company_id, unique_id, device_type_id, credential_hash)
     select id, $1, 'serial-' || id, $2, credential_hash from unnest($3::text[], $4::text[]) as d(id, credential_hash)`,
    [companyId, deviceTypeId, devices.map((device) => device.deviceId), devices.map((device) => hashDeviceSecret(device.password))],
  );
  return devices;
}

export const testServiceCredentials = { username: 'fleet-actions-service', password: randomBytes(18).toString('base64url') };

// A raw MQTT client as a device would open it: persistent session, client id = username.
export function connectAsDevice(url: string, device: SimulatedDevice, extra: IClientOptions = {}): Promise<MqttClient> {
  return connectAsync(url, {
    username: device.username,
    password: device.password,
    clientId: device.username,
    protocolVersion: 4,
    clean: false,
    reconnectPeriod: 0,
    ...extra,
  });
}

export function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 10);
    };
    check();
  });
}

export function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
