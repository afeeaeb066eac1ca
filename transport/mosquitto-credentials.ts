import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { channelsFromDevice, channelsToDevice, deviceTopic, topicRoot } from '../contracts/device-topics';
import type { Queryable } from '../registry/database';
import {
  hashDeviceSecret,
  listDeviceCredentials,
  type DeviceCredentialRecord,
} from '../registry/device-credentials.repository';

// Keeps a Mosquitto broker's own auth in step with the registry: a password file and an ACL file
// per listener, then SIGHUP, which makes Mosquitto re-read both without dropping connections.
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
  const temporary = `${file}.${process.pid}.tmp`;
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

export async function writeMosquittoCredentials(options: MosquittoSyncOptions): Promise<{ devices: number }> {
  const { passwords, acl, devices } = await renderDeviceFiles(options.database);
  const file = (name: string) => path.join(options.directory, name);
  await writeAtomically(file('devices.passwd'), passwords);
  await writeAtomically(file('devices.acl'), acl);
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
