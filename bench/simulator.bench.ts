import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { commandExecutionId } from '../contracts/ids';
import { startSimulatedFleet } from '../simulator/device-fleet';
import { connectDeviceTransport } from '../transport/device-transport';
import { startEmbeddedHarness, type BrokerHarness } from '../harness/broker-harness';
import { startMosquittoHarness } from '../harness/mosquitto-harness';
import { silentLogger } from '../harness/device-fixtures';

// How many devices one simulator process holds, and the command round-trip rate (publish ->
// device -> ack) through a real broker on loopback. Bounded in devices, commands and time.
//   npx tsx bench/simulator.bench.ts [--broker embedded|mosquitto] [--devices 2000]
//     [--commands 20000] [--in-flight 1000] [--seconds 60]

export interface SimulatorBenchmarkOptions {
  broker: 'embedded' | 'mosquitto';
  devices: number;
  commands: number;
  inFlight: number;
  seconds: number;
}

export interface SimulatorBenchmarkResult {
  broker: string;
  devicesHeld: number;
  connectSeconds: number;
  residentMegabytes: number;
  // Growth of this process's memory while the fleet connected: what the devices themselves cost.
  fleetMegabytes: number;
  commandsAcknowledged: number;
  roundTripsPerSecond: number;
  latencyMs: { p50: number; p99: number };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted.length === 0
    ? 0
    : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]! * 10) / 10;
}

async function roundTrips(
  harness: BrokerHarness,
  devices: { companyId: string; deviceId: string }[],
  options: SimulatorBenchmarkOptions,
) {
  const waiting = new Map<string, { sentAt: number; done: () => void }>();
  const latencies: number[] = [];
  const transport = await connectDeviceTransport({
    url: harness.serviceUrl,
    ...harness.service,
    clientId: `bench-${randomBytes(4).toString('hex')}`,
    sharedSubscriptionGroup: harness.sharedSubscriptionGroup,
    logger: silentLogger,
    onAcknowledgement: ({ acknowledgement }) => {
      const entry = waiting.get(acknowledgement.execution_id);
      if (!entry) return;
      waiting.delete(acknowledgement.execution_id);
      latencies.push(performance.now() - entry.sentAt);
      entry.done();
    },
  });
  const bulkResponseId = randomBytes(12).toString('hex');
  const deadline = performance.now() + options.seconds * 1000;
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < options.commands && performance.now() < deadline) {
      const sequence = next++;
      const device = devices[sequence % devices.length]!;
      const executionId = `${commandExecutionId(`${bulkResponseId}-${sequence}`, device.deviceId)}`;
      const acknowledged = new Promise<void>((resolve) =>
        waiting.set(executionId, { sentAt: performance.now(), done: resolve }),
      );
      const now = new Date();
      await transport.publishCommand(device, {
        execution_id: executionId,
        kind: 'command',
        name: 'status',
        payload: {},
        issued_at: now.toISOString(),
        expires_at: new Date(now.getTime() + 60_000).toISOString(),
      });
      await Promise.race([
        acknowledged,
        new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - performance.now()))),
      ]);
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, lane));
  const elapsedSeconds = (performance.now() - started) / 1000;
  await transport.close();
  latencies.sort((left, right) => left - right);
  return {
    acknowledged: latencies.length,
    perSecond: Math.round(latencies.length / elapsedSeconds),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

export async function runSimulatorBenchmark(options: SimulatorBenchmarkOptions): Promise<SimulatorBenchmarkResult> {
  const harness = await (options.broker === 'mosquitto' ? startMosquittoHarness() : startEmbeddedHarness());
  try {
    const { devices } = await harness.addCompany(options.devices);
    const residentBefore = process.memoryUsage().rss;
    const connectStarted = performance.now();
    const fleet = await startSimulatedFleet({
      url: harness.deviceUrl,
      devices,
      behaviour: { latency: { minMs: 0, maxMs: 0 } },
      connectConcurrency: 500,
      logger: silentLogger,
    });
    const connectSeconds = Math.round((performance.now() - connectStarted) / 100) / 10;
    const devicesHeld = fleet.stats().connected;
    const fleetMegabytes = Math.round((process.memoryUsage().rss - residentBefore) / 1_048_576);
    const result = await roundTrips(harness, devices, options);
    await fleet.stop();
    return {
      broker: harness.name,
      devicesHeld,
      connectSeconds,
      residentMegabytes: Math.round(process.memoryUsage().rss / 1_048_576),
      fleetMegabytes,
      commandsAcknowledged: result.acknowledged,
      roundTripsPerSecond: result.perSecond,
      latencyMs: { p50: result.p50, p99: result.p99 },
    };
  } finally {
    await harness.close();
  }
}

function optionsFromArguments(argv: string[]): SimulatorBenchmarkOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      broker: { type: 'string' },
      devices: { type: 'string' },
      commands: { type: 'string' },
      'in-flight': { type: 'string' },
      seconds: { type: 'string' },
    },
  });
  const broker = values.broker ?? 'embedded';
  if (broker !== 'embedded' && broker !== 'mosquitto') throw new Error('--broker is embedded or mosquitto');
  return {
    broker,
    devices: Math.min(50_000, Number(values.devices ?? 2000)),
    commands: Math.min(1_000_000, Number(values.commands ?? 20_000)),
    inFlight: Number(values['in-flight'] ?? 1000),
    seconds: Math.min(600, Number(values.seconds ?? 60)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runSimulatorBenchmark(optionsFromArguments(process.argv.slice(2)));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
