import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { reloadMosquitto, writeMosquittoCredentials } from '../registry/mosquitto-credential-files';
import type { BrokerHarness } from './broker-harness';
import { openTestDatabase, type TestDatabase } from './test-database';
import { connectAsDevice, delay, insertCompanyWithDevices, type TestCompany } from './device-fixtures';

const run = promisify(execFile);
const startScript = path.resolve('scripts/ci/start-mosquitto.sh');

function mosquittoInstalled(): boolean {
  return ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto'].some((candidate) =>
    existsSync(candidate),
  );
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// Mosquitto takes fixed ports: the device listener and the service listener right above it.
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    if ((await portIsFree(port)) && (await portIsFree(port + 1))) return port;
  }
  throw new Error('no free port pair for mosquitto');
}

// Starts the script's Mosquitto on a free port pair and answers the device port. Another process
// can take a port between the check and Mosquitto's bind (tests run in parallel): then it tries
// another pair.
export async function startMosquittoOnFreePorts(directory: string): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePortPair();
    try {
      await run('bash', [startScript, '--dir', directory, '--port', String(port)]);
      return port;
    } catch (error) {
      const log = await readFile(path.join(directory, 'mosquitto.log'), 'utf8').catch(() => '');
      if (attempt >= 3 || !log.includes('Address already in use')) throw error;
    }
  }
}

// Mosquitto re-reads its files asynchronously after SIGHUP: wait until the new device gets in.
async function waitUntilAccepted(url: string, company: TestCompany): Promise<void> {
  const device = company.devices[company.devices.length - 1];
  if (!device) return;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const client = await connectAsDevice(url, device, { clean: true }).catch(() => undefined);
    if (client) return client.endAsync();
    await delay(100);
  }
  throw new Error('mosquitto did not pick up the new device credentials');
}

// A private Mosquitto (Debian package) started through scripts/ci/start-mosquitto.sh in a
// temporary directory, its credentials synchronised from a fresh registry.
// `registry`: a registry of the caller's (a bench stack's) instead of a throw-away one on
// DATABASE_URL's server; the harness closes it with itself.
export async function startMosquittoHarness(registry?: TestDatabase): Promise<BrokerHarness> {
  if (!mosquittoInstalled()) {
    throw new Error(
      'Mosquitto is not installed: run `bash scripts/ci/start-mosquitto.sh` (installs the Debian package) before the tests',
    );
  }
  const directory = await mkdtemp(path.join(tmpdir(), 'fleet-mosquitto-'));
  const service = { username: 'fleet-actions-service', password: randomBytes(18).toString('base64url') };
  await writeFile(path.join(directory, 'service-password'), service.password, { mode: 0o600 });
  const port = await startMosquittoOnFreePorts(directory);
  const database = registry ?? (await openTestDatabase());
  const deviceUrl = `mqtt://127.0.0.1:${port}`;
  const synchronise = async () => {
    await writeMosquittoCredentials({
      database,
      directory,
      serviceUsername: service.username,
      servicePassword: service.password,
    });
    await reloadMosquitto(directory);
  };
  await synchronise();
  return {
    name: 'mosquitto',
    deviceUrl,
    serviceUrl: `mqtt://127.0.0.1:${port + 1}`,
    service,
    sharedSubscriptionGroup: 'fleet-actions',
    database,
    addCompany: async (count) => {
      const company = await insertCompanyWithDevices(database, count);
      await synchronise();
      await waitUntilAccepted(deviceUrl, company);
      return company;
    },
    close: async () => {
      const pid = Number((await readFile(path.join(directory, 'mosquitto.pid'), 'utf8')).trim());
      process.kill(pid, 'SIGTERM');
      await delay(200);
      await database.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
