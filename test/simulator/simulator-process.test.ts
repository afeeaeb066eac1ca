import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../transport/broker';
import { connectDeviceTransport, type DeviceTransport, type ReceivedPresence } from '../../transport/device-transport';
import { silentLogger, testServiceCredentials, waitFor } from '../support/transport-fixtures';
import { startCredentialsApi, type CredentialsApiHarness } from './credentials-api-harness';

interface RunningSimulator {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

// `npm run simulate` in its own process group, as a terminal runs it: Ctrl-C reaches npm, tsx
// and the simulator at once.
function spawnSimulator(args: string[]): RunningSimulator {
  const child = spawn('npm', ['run', '--silent', 'simulate', '--', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

function summaryIn(output: string): Record<string, number> {
  const start = output.lastIndexOf('\n{\n');
  assert.ok(start >= 0, `no summary in the output:\n${output}`);
  return JSON.parse(output.slice(start + 1, output.indexOf('\n}', start) + 2)) as Record<string, number>;
}

describe('simulator process', () => {
  let harness: CredentialsApiHarness;
  let broker: EmbeddedBroker;
  let transport: DeviceTransport;
  const presence: ReceivedPresence[] = [];
  // The last thing each device of the company said (or its will said for it).
  const lastSaid = (companyId: string) => {
    const latest = new Map<string, boolean>();
    for (const received of presence)
      if (received.companyId === companyId) latest.set(received.deviceId, received.online);
    return latest;
  };
  const allSay = (companyId: string, online: boolean, count: number) => () => {
    const latest = lastSaid(companyId);
    return latest.size === count && [...latest.values()].every((said) => said === online);
  };

  before(async () => {
    harness = await startCredentialsApi();
    broker = await startEmbeddedBroker({
      port: 0,
      database: harness.fixture.database,
      serviceUsername: testServiceCredentials.username,
      servicePassword: testServiceCredentials.password,
      logger: silentLogger,
    });
    transport = await connectDeviceTransport({
      url: broker.url,
      ...testServiceCredentials,
      clientId: 'service-simulator-process',
      logger: silentLogger,
      onAcknowledgement: () => undefined,
      onPresence: (received) => void presence.push(received),
    });
  });
  after(async () => {
    await transport.close();
    await broker.close();
    await harness.close();
  });

  it('when --help is given, then it prints the usage and exits 0', async () => {
    const simulator = spawnSimulator(['--help']);
    assert.equal(await simulator.exited, 0);
    assert.match(simulator.output(), /--offline-share[\s\S]*--seed/);
  });

  it('when the whole process group gets SIGINT, then the summary is printed and written to --summary-file', async () => {
    const { fleetId, credentialsFile } = await harness.addFleet(6);
    const summaryFile = path.join(harness.directory, 'summary.json');
    const simulator = spawnSimulator([
      ...['--fleet', fleetId, '--api', harness.api, '--mqtt-url', broker.url],
      ...['--credentials', credentialsFile, '--offline-share', '0.5', '--summary-file', summaryFile],
    ]);
    await waitFor(() => simulator.output().includes('simulated fleet running'), 60_000, 'the simulator to run');
    process.kill(-simulator.child.pid!, 'SIGINT');
    await simulator.exited;
    const printed = summaryIn(simulator.output());
    assert.deepEqual([printed.devices, printed.devicesOffline, printed.connected], [6, 3, 3]);
    assert.deepEqual(JSON.parse(await readFile(summaryFile, 'utf8')), printed);
  });

  it('when the simulator gets SIGINT, then every connected device says offline before it exits', async () => {
    const { fleetId, companyId, credentialsFile } = await harness.addFleet(4);
    const simulator = spawnSimulator([
      ...['--fleet', fleetId, '--api', harness.api, '--mqtt-url', broker.url, '--credentials', credentialsFile],
    ]);
    await waitFor(() => simulator.output().includes('simulated fleet running'), 60_000, 'the simulator to run');
    await waitFor(allSay(companyId, true, 4), 5000, 'every device online');
    process.kill(-simulator.child.pid!, 'SIGINT');
    await simulator.exited;
    await waitFor(allSay(companyId, false, 4), 2000, 'every device offline');
    const printed = summaryIn(simulator.output());
    assert.deepEqual([printed.presenceOnlineSent, printed.presenceOfflineSent], [4, 4]);
  });

  it("when the simulator is killed (SIGKILL), then the broker publishes every device's will: offline", async () => {
    const { fleetId, companyId, credentialsFile } = await harness.addFleet(4);
    const simulator = spawnSimulator([
      ...['--fleet', fleetId, '--api', harness.api, '--mqtt-url', broker.url, '--credentials', credentialsFile],
    ]);
    await waitFor(() => simulator.output().includes('simulated fleet running'), 60_000, 'the simulator to run');
    await waitFor(allSay(companyId, true, 4), 5000, 'every device online');
    process.kill(-simulator.child.pid!, 'SIGKILL');
    await simulator.exited;
    await waitFor(allSay(companyId, false, 4), 2000, 'every will');
  });
});
