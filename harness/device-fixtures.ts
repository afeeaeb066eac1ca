import { randomBytes } from 'node:crypto';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { Queryable } from '../registry/database';
import { insertGeneratedCompany, insertGeneratedDevices } from '../registry/simulated-devices.repository';
import type { SimulatedDevice } from '../simulator/simulated-device';

export const silentLogger = pino({ level: 'silent' });

export interface TestCompany {
  companyId: string;
  devices: SimulatedDevice[];
}

export function insertCompanyWithDevices(database: Queryable, count: number): Promise<TestCompany> {
  return insertGeneratedCompany(database, `company-${randomBytes(6).toString('hex')}`, count);
}

export const insertDevices = insertGeneratedDevices;

export const testServiceCredentials = {
  username: 'fleet-actions-service',
  password: randomBytes(18).toString('base64url'),
};

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
