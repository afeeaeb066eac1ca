import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrokerHarness } from '../../harness/broker-harness';
import { freePort } from '../../harness/free-port';
import { writeMosquittoCredentials } from '../../registry/mosquitto-credential-files';

export interface BridgedBroker {
  deviceUrl: string;
  close(): Promise<void>;
}

// A second Mosquitto for devices, bridged to the harness's broker: one process cannot hold
// 20,000 device sockets under an open-file limit of 20,000 (listeners, log and the service's own
// connection take a few), and this machine does not allow raising it. Commands and
// configurations flow in from the primary, acks and heartbeats out to it, so the service still
// sees one broker. Device rules are the same files, exported from the same registry.
export async function startBridgedBroker(harness: BrokerHarness): Promise<BridgedBroker> {
  const directory = await mkdtemp(path.join(tmpdir(), 'fleet-mosquitto-bridge-'));
  await writeMosquittoCredentials({
    database: harness.database,
    directory,
    serviceUsername: harness.service.username,
    servicePassword: harness.service.password,
  });
  const port = await freePort();
  const primary = new URL(harness.serviceUrl);
  await writeFile(
    path.join(directory, 'mosquitto.conf'),
    [
      'user root',
      `pid_file ${directory}/mosquitto.pid`,
      'persistence false',
      `log_dest file ${directory}/mosquitto.log`,
      'per_listener_settings true',
      'max_queued_messages 100000',
      'max_inflight_messages 1000',
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      'use_username_as_clientid true',
      `password_file ${directory}/devices.passwd`,
      `acl_file ${directory}/devices.acl`,
      'connection primary',
      `address ${primary.hostname}:${primary.port}`,
      `remote_username ${harness.service.username}`,
      `remote_password ${harness.service.password}`,
      // One client id per bridge: the primary drops a session whose id connects again.
      `remote_clientid fleet-bench-bridge-${port}`,
      'cleansession true',
      'topic fleet/+/devices/+/commands in 1',
      'topic fleet/+/devices/+/configuration in 1',
      'topic fleet/+/devices/+/acks out 1',
      'topic fleet/+/devices/+/heartbeats out 0',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  await new Promise<void>((resolve, reject) => {
    const daemon = spawn('mosquitto', ['-c', path.join(directory, 'mosquitto.conf'), '-d'], { stdio: 'ignore' });
    daemon.once('error', reject);
    daemon.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mosquitto exited ${code}`))));
  });
  const close = async () => {
    const pid = Number((await readFile(path.join(directory, 'mosquitto.pid'), 'utf8').catch(() => '')).trim());
    if (pid > 0) process.kill(pid, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await waitForPort(port);
  } catch (error) {
    await close();
    throw error;
  }
  return { deviceUrl: `mqtt://127.0.0.1:${port}`, close };
}

// Mosquitto reads its password and ACL files before it listens: tens of seconds for 20,000 devices.
async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 1800; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(() => resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`bridged mosquitto did not listen on ${port}`);
}
