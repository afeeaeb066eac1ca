import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { channelsFromDevice, channelsToDevice, deviceTopic, topicRoot } from '../contracts/device-topics';
import type { Queryable } from './database';
import { hashDeviceSecret, listDeviceCredentials, type DeviceCredentialRecord } from './device-credentials.repository';

// Keeps a Mosquitto broker's own auth in step with the registry: a password file and an ACL file
// per listener, then SIGHUP, which makes Mosquitto re-read both without dropping connections.
// It lives with the registry, as an export of the registry's credentials (no MQTT is spoken), so
// the API process, which may not import transport/, can run it after a credential rotation.
// The registry stores credential hashes in Mosquitto's format, so no plaintext is needed here.
// Layout of the directory (scripts/ci/start-mosquitto.sh writes the config that reads it):
//   devices.passwd / devices.acl   device listener, one user block per device
//   service.passwd / service.acl   service listener
//   mosquitto.pid

export interface MosquittoSyncOptions {
  database: Queryable;
  directory: string;
  serviceUsername: string;
  servicePassword: string;
}

const pageSize = 5000;

// Explicit per-device rules rather than %u patterns: a pattern would also match the same
// device id under another company's prefix.
function deviceAclBlock(record: DeviceCredentialRecord): string {
  const address = { companyId: record.companyId, deviceId: record.deviceId };
  const reads = channelsToDevice.map((channel) => `topic read ${deviceTopic(address, channel)}`);
  const writes = channelsFromDevice.map((channel) => `topic write ${deviceTopic(address, channel)}`);
  return [`user ${record.deviceId}`, ...reads, ...writes, ''].join('\n');
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, file);
}

async function renderDeviceFiles(database: Queryable): Promise<{ passwords: string; acl: string; devices: number }> {
  const passwords: string[] = [];
  const acl: string[] = [];
  let after = '';
  for (;;) {
    const page = await listDeviceCredentials(database, after, pageSize);
    for (const record of page) {
      passwords.push(`${record.deviceId}:${record.credentialHash}\n`);
      acl.push(deviceAclBlock(record));
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.deviceId;
  }
  return { passwords: passwords.join(''), acl: acl.join('\n'), devices: passwords.length };
}

async function writeDeviceFiles(database: Queryable, directory: string): Promise<{ devices: number }> {
  const { passwords, acl, devices } = await renderDeviceFiles(database);
  await writeAtomically(path.join(directory, 'devices.passwd'), passwords);
  await writeAtomically(path.join(directory, 'devices.acl'), acl);
  return { devices };
}

export async function writeMosquittoCredentials(options: MosquittoSyncOptions): Promise<{ devices: number }> {
  const { devices } = await writeDeviceFiles(options.database, options.directory);
  const file = (name: string) => path.join(options.directory, name);
  await writeAtomically(
    file('service.passwd'),
    `${options.serviceUsername}:${hashDeviceSecret(options.servicePassword)}\n`,
  );
  await writeAtomically(file('service.acl'), `user ${options.serviceUsername}\ntopic readwrite ${topicRoot}/#\n`);
  return { devices };
}

export async function reloadMosquitto(directory: string): Promise<void> {
  const pid = Number((await readFile(path.join(directory, 'mosquitto.pid'), 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no mosquitto pid in ${directory}`);
  process.kill(pid, 'SIGHUP');
}

// For the API paths that issue credentials (MOSQUITTO_AUTH_DIR): the device files only (the
// service's own login does not change), then SIGHUP, one export at a time. A call while an export
// runs waits for the next one, which reads the registry after the caller's change; calls waiting
// together share it. Resolves once Mosquitto has been told.
// Unset directory: no Mosquitto to keep in step (the embedded broker reads the registry itself).
export function mosquittoCredentialSync(
  database: Queryable,
  directory: string | undefined,
): (() => Promise<void>) | undefined {
  if (!directory) return undefined;
  let running: Promise<unknown> = Promise.resolve();
  let next: Promise<void> | undefined;
  const exportAndReload = async () => {
    await writeDeviceFiles(database, directory);
    await reloadMosquitto(directory);
  };
  return () => {
    if (next) return next;
    const queued = running.then(() => {
      next = undefined;
      return exportAndReload();
    });
    next = queued;
    running = queued.catch(() => undefined);
    return queued;
  };
}
