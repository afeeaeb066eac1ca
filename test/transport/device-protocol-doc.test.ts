import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { CommandEnvelope } from '../../contracts/device-protocol.schema';
import { commandExecutionId } from '../../contracts/ids';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import {
  connectDeviceTransport,
  type DeviceTransport,
  type ReceivedAcknowledgement,
  type ReceivedPresence,
} from '../../transport/device-transport';
import { startEmbeddedHarness, type BrokerHarness } from '../../harness/broker-harness';
import { silentLogger, waitFor } from '../support/transport-fixtures';

// A third-party device built from docs/device-protocol.md alone: the doc's own `sh device-example`
// blocks, run with mosquitto_sub/mosquitto_pub against a real broker, so the doc cannot drift.

function deviceExamples(): Map<string, string> {
  const doc = readFileSync('docs/device-protocol.md', 'utf8');
  const blocks = [...doc.matchAll(/^```sh device-example (\S+)\n([\s\S]*?)^```$/gm)];
  return new Map(blocks.map((block) => [block[1]!, block[2]!]));
}

interface ExampleRun {
  child: ChildProcess;
  lines: () => string[];
  exited: Promise<number | null>;
}

// In its own process group, so that killing the example kills the Mosquitto client in it.
function runExample(script: string, environment: Record<string, string>): ExampleRun {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
    env: { ...process.env, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines: () => output.split('\n').filter((line) => line !== ''), exited };
}

// `mosquitto_sub -v` prints "<topic> <payload>".
function messageOn(lines: string[], channel: string): unknown {
  const line = lines.find((candidate) => candidate.split(' ', 1)[0]!.endsWith(`/${channel}`));
  return line === undefined ? undefined : JSON.parse(line.slice(line.indexOf(' ') + 1));
}

describe('device protocol doc, played by the Mosquitto clients', () => {
  const examples = deviceExamples();
  const running: ExampleRun[] = [];
  const acknowledgements: ReceivedAcknowledgement[] = [];
  const presence: ReceivedPresence[] = [];
  let harness: BrokerHarness;
  let transport: DeviceTransport;
  let device: SimulatedDevice;
  let environment: Record<string, string>;

  const command = (bulkResponseId: string): CommandEnvelope => ({
    execution_id: commandExecutionId(bulkResponseId, device.deviceId),
    kind: 'command',
    name: 'reboot',
    payload: {},
    issued_at: new Date().toISOString(),
    expires_at: new Date(Date.now() + 60_000).toISOString(),
  });
  const run = (name: string, extra: Record<string, string> = {}) => {
    const script = examples.get(name);
    assert.ok(script, `docs/device-protocol.md has a sh device-example ${name} block`);
    const example = runExample(script, { ...environment, ...extra });
    running.push(example);
    return example;
  };

  before(async () => {
    harness = await startEmbeddedHarness();
    device = (await harness.addCompany(1)).devices[0]!;
    environment = {
      MQTT_HOST: '127.0.0.1',
      MQTT_PORT: new URL(harness.deviceUrl).port,
      COMPANY_ID: device.companyId,
      DEVICE_ID: device.deviceId,
      DEVICE_PASSWORD: device.password,
    };
    transport = await connectDeviceTransport({
      url: harness.serviceUrl,
      ...harness.service,
      clientId: 'service-protocol-doc-test',
      logger: silentLogger,
      onAcknowledgement: (received) => void acknowledgements.push(received),
      onPresence: (received) => void presence.push(received),
    });
  });
  after(async () => {
    for (const example of running) if (example.child.exitCode === null) process.kill(-example.child.pid!, 'SIGTERM');
    await transport?.close();
    await harness?.close();
  });

  it('when the doc names its examples, then it has the receive, acknowledge and presence blocks', () => {
    assert.deepEqual([...examples.keys()].sort(), ['acknowledge', 'presence', 'receive']);
  });

  it('when a device follows the doc, then it gets its retained configuration and a command, and its ack reaches the service', async () => {
    await transport.publishDeviceConfiguration(device, {
      heartbeat_period: 42,
      heartbeat_values: ['cpu_usage'],
      applied_settings: {},
      updated_at: new Date().toISOString(),
    });
    const receive = run('receive');
    await waitFor(() => messageOn(receive.lines(), 'configuration') !== undefined, 10_000, 'the configuration');
    assert.equal((messageOn(receive.lines(), 'configuration') as { heartbeat_period: number }).heartbeat_period, 42);

    const sent = command('6540a1c2d3e4f5a6b7c8d9e2');
    await transport.publishCommand(device, sent);
    assert.equal(await receive.exited, 0, receive.lines().join('\n'));
    const received = messageOn(receive.lines(), 'commands') as CommandEnvelope;
    assert.equal(received.execution_id, sent.execution_id);
    assert.match(received.execution_id, /^[0-9a-f]{24}\.[0-9a-f]{24}$/, 'the documented format');

    const acknowledge = run('acknowledge', { EXECUTION_ID: received.execution_id });
    assert.equal(await acknowledge.exited, 0, acknowledge.lines().join('\n'));
    await waitFor(() => acknowledgements.length === 1, 10_000, 'the acknowledgement');
    const [answer] = acknowledgements;
    assert.deepEqual(
      [answer!.deviceId, answer!.acknowledgement.execution_id, answer!.acknowledgement.status],
      [device.deviceId, sent.execution_id, 'success'],
    );
    assert.equal(transport.stats().dropped.foreign_execution_id, 0);
  });

  it('when a command is published while the device is away, then the receive example gets it on reconnect', async () => {
    const queued = command('6540a1c2d3e4f5a6b7c8d9e3');
    await transport.publishCommand(device, queued);
    const receive = run('receive');
    assert.equal(await receive.exited, 0, receive.lines().join('\n'));
    assert.equal((messageOn(receive.lines(), 'commands') as CommandEnvelope).execution_id, queued.execution_id);
    assert.notEqual(messageOn(receive.lines(), 'configuration'), undefined, 'the retained configuration again');
  });

  it('when the presence example runs, then the service hears online and then offline, and the connection ends cleanly', async () => {
    presence.length = 0;
    const example = run('presence', { STAY_SECONDS: '1' });
    assert.equal(await example.exited, 0, example.lines().join('\n'));
    await waitFor(() => presence.length === 2, 5000, 'online and offline');
    assert.deepEqual(
      presence.map((received) => [received.deviceId, received.online]),
      [
        [device.deviceId, true],
        [device.deviceId, false],
      ],
    );
  });

  it('when a device following the doc is killed, then its will says offline', async () => {
    presence.length = 0;
    const example = run('presence', { STAY_SECONDS: '60' });
    await waitFor(() => presence.length === 1, 10_000, 'online');
    process.kill(-example.child.pid!, 'SIGKILL');
    await example.exited;
    await waitFor(() => presence.length === 2, 5000, 'the will');
    assert.deepEqual(
      presence.map((received) => received.online),
      [true, false],
    );
  });
});
