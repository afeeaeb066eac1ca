import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import request from 'supertest';
import type { BulkResponseRecord } from '../registry/bulk-responses.repository';
import { startEmbeddedHarness, type BrokerHarness } from '../harness/broker-harness';
import { startMosquittoHarness } from '../harness/mosquitto-harness';
import { createBenchTenant, type BenchTenant } from './support/bench-tenant';
import { startEngineUnderTest, type EngineUnderTest } from './support/engine-under-test';
import { largestHistory, type LargestHistory } from './support/history-sizes';
import { startBridgedBroker } from './support/mosquitto-bridge';
import { samplePeakMemory } from './support/peak-memory';
import { startSimulatorProcesses } from './support/simulator-process';
import type { SimulatorStats } from '../simulator/simulator-stats';

// issue_command (gateway command reboot) on every device of a fleet, through the real engine:
// HTTP app -> Temporal dev server (SQLite file) -> worker -> MQTT broker -> simulated devices in
// child processes -> acks -> async completion. Prints devices/s, the largest workflow history and
// the peak resident memory of this process (worker + API + registry client). Bounded in devices
// and time; prints figures, asserts nothing.
//   npx tsx bench/issue-command.bench.ts [--devices 1000,20000] [--broker auto|embedded|mosquitto]
//     [--max-in-flight 200] [--latency-ms 20,200] [--minutes 10] [--bridge auto|on|off]
//     [--poll-ms 1000] [--offline-share 0] [--device-timeout-seconds <--minutes * 60>]
// The registry is PGlite in memory, or a throw-away database on DATABASE_URL's server.

export interface IssueCommandOptions {
  devices: number[];
  broker: 'auto' | 'embedded' | 'mosquitto';
  maxInFlight: number;
  latency: string;
  minutes: number;
  bridge: 'auto' | 'on' | 'off';
  pollMs: number;
  // Share of devices the simulator keeps offline (seeded spread through the fleet); default 0.
  offlineShare?: number;
  // The rollout's device_timeout_seconds; default: the whole time bound (--minutes).
  deviceTimeoutSeconds?: number;
}

const platform = '/api/v1/platform';
// One simulator process holds about 19,500 sockets under a 20,000 open-file limit: stay well below.
const devicesPerSimulatorProcess = 10_000;
// With the broker in this process, its device sockets count against this process's limit.
const embeddedBrokerDeviceLimit = 8_000;
// Above this, one Mosquitto runs out of file descriptors: half of the devices go to a bridged one.
const singleMosquittoDeviceLimit = 19_000;

function wantsBridge(options: IssueCommandOptions, devices: number): boolean {
  return options.bridge === 'on' || (options.bridge === 'auto' && devices > singleMosquittoDeviceLimit);
}

function startHarness(options: IssueCommandOptions, devices: number): Promise<BrokerHarness> {
  const embedded = options.broker === 'embedded' || (options.broker === 'auto' && devices <= embeddedBrokerDeviceLimit);
  return embedded ? startEmbeddedHarness() : startMosquittoHarness();
}

async function startAction(
  engine: EngineUnderTest,
  tenant: BenchTenant,
  options: IssueCommandOptions,
  minutes: number,
) {
  const response = await request(engine.app)
    .post(`${platform}/fleets/${tenant.fleetId}/actions`)
    .set('Authorization', tenant.authorization)
    .send({
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: {
        max_in_flight: options.maxInFlight,
        device_timeout_seconds: options.deviceTimeoutSeconds ?? Math.ceil(minutes * 60),
      },
    })
    .expect(202);
  return (response.body as { bulk_response_id: string }).bulk_response_id;
}

interface WaitBounds {
  deadline: number;
  pollMs: number;
  // Devices that can answer: the poll notes when this many have answered (success or fail).
  onlineDevices: number;
  started: number;
}

// Polls like an API client would; each poll of a running action queries the workflow's status.
async function waitForEnd(engine: EngineUnderTest, tenant: BenchTenant, id: string, bounds: WaitBounds) {
  let lastReport = Date.now();
  let onlineAnsweredSeconds: number | undefined;
  for (;;) {
    const response = await request(engine.app)
      .get(`${platform}/bulk_responses/${id}`)
      .set('Authorization', tenant.authorization);
    const record = response.body as BulkResponseRecord;
    if (onlineAnsweredSeconds === undefined && record.counts.success + record.counts.fail >= bounds.onlineDevices)
      onlineAnsweredSeconds = (performance.now() - bounds.started) / 1000;
    if (record.completed_at || Date.now() > bounds.deadline)
      return { record, finished: Boolean(record.completed_at), onlineAnsweredSeconds };
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      process.stderr.write(`  ... ${record.status}: ${JSON.stringify(record.counts)}\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, bounds.pollMs));
  }
}

export interface IssueCommandResult {
  devices: number;
  broker: string;
  registry: string;
  finished: boolean;
  wallSeconds: number;
  devicesPerSecond: number;
  offlineDevices: number;
  // Online devices: those connected when the action started.
  onlineDevices: number;
  // From the POST until every online device had answered (success or fail), to the poll's precision.
  onlineAnsweredSeconds: number | undefined;
  onlineDevicesPerSecond: number | undefined;
  status: string;
  counts: BulkResponseRecord['counts'];
  simulator: Pick<
    SimulatorStats,
    | 'connected'
    | 'connectFailures'
    | 'commandsReceived'
    | 'commandsActed'
    | 'duplicates'
    | 'expired'
    | 'acknowledgementsSent'
  >;
  simulatorMatchesSuccess: boolean;
  largestHistory: LargestHistory | undefined;
  peakBenchProcessMegabytes: number;
  peakTemporalServerMegabytes: number;
}

export async function runIssueCommand(options: IssueCommandOptions, devices: number): Promise<IssueCommandResult> {
  const directory = mkdtempSync(path.join(tmpdir(), 'fleet-bench-'));
  const harness = await startHarness(options, devices);
  const stops: (() => Promise<unknown>)[] = [() => harness.close()];
  try {
    const company = await harness.addCompany(devices);
    const tenant = await createBenchTenant(harness.database, company.companyId);
    // The service connects first, so the devices can never take the broker's last sockets.
    const engine = await startEngineUnderTest(harness, directory);
    stops.unshift(() => engine.stop());
    const deviceUrls = [harness.deviceUrl];
    if (harness.name === 'mosquitto' && wantsBridge(options, devices)) {
      const bridged = await startBridgedBroker(harness);
      stops.unshift(() => bridged.close());
      deviceUrls.push(bridged.deviceUrl);
    }
    const processes = Math.max(deviceUrls.length, Math.ceil(devices / devicesPerSimulatorProcess));
    const simulator = await startSimulatorProcesses({
      urls: Array.from({ length: processes }, (_, index) => deviceUrls[index % deviceUrls.length]!),
      devices: company.devices,
      latency: options.latency,
      directory,
      offlineShare: options.offlineShare ?? 0,
    });
    stops.unshift(() => simulator.stop());
    const atStart = await simulator.stats();
    const benchMemory = samplePeakMemory('self');
    const serverMemory = samplePeakMemory(engine.devServer.process.pid ?? 0);
    const started = performance.now();
    const id = await startAction(engine, tenant, options, options.minutes);
    const { record, finished, onlineAnsweredSeconds } = await waitForEnd(engine, tenant, id, {
      deadline: Date.now() + options.minutes * 60_000,
      pollMs: options.pollMs,
      onlineDevices: atStart.connected,
      started,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const peakBench = benchMemory.stop().peakMegabytes;
    const peakServer = serverMemory.stop().peakMegabytes;
    const tally = await simulator.stats();
    return {
      devices,
      broker: deviceUrls.length > 1 ? `${harness.name} + a bridged mosquitto for half of the devices` : harness.name,
      registry: harness.database.engine,
      finished,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      devicesPerSecond: Math.round(
        (record.counts.success + record.counts.fail + record.counts.timed_out) / wallSeconds,
      ),
      offlineDevices: atStart.devicesOffline,
      onlineDevices: atStart.connected,
      onlineAnsweredSeconds: onlineAnsweredSeconds && Math.round(onlineAnsweredSeconds * 10) / 10,
      onlineDevicesPerSecond: onlineAnsweredSeconds && Math.round(atStart.connected / onlineAnsweredSeconds),
      status: record.status,
      counts: record.counts,
      simulator: {
        connected: tally.connected,
        connectFailures: tally.connectFailures,
        commandsReceived: tally.commandsReceived,
        commandsActed: tally.commandsActed,
        duplicates: tally.duplicates,
        expired: tally.expired,
        acknowledgementsSent: tally.acknowledgementsSent,
      },
      simulatorMatchesSuccess: tally.commandsActed === record.counts.success,
      largestHistory: await largestHistory(engine.temporal),
      peakBenchProcessMegabytes: peakBench,
      peakTemporalServerMegabytes: peakServer,
    };
  } finally {
    for (const stop of stops)
      await stop().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
    rmSync(directory, { recursive: true, force: true });
  }
}

function optionsFromArguments(argv: string[]): IssueCommandOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string' },
      broker: { type: 'string' },
      'max-in-flight': { type: 'string' },
      'latency-ms': { type: 'string' },
      minutes: { type: 'string' },
      bridge: { type: 'string' },
      'poll-ms': { type: 'string' },
      'offline-share': { type: 'string' },
      'device-timeout-seconds': { type: 'string' },
    },
  });
  const broker = values.broker ?? 'auto';
  if (broker !== 'auto' && broker !== 'embedded' && broker !== 'mosquitto')
    throw new Error('--broker is auto, embedded or mosquitto');
  const bridge = values.bridge ?? 'auto';
  if (bridge !== 'auto' && bridge !== 'on' && bridge !== 'off') throw new Error('--bridge is auto, on or off');
  const devices = (values.devices ?? '1000,20000')
    .split(',')
    .map((count) => Math.min(50_000, Math.max(1, Number(count))));
  if (devices.some((count) => !Number.isInteger(count)))
    throw new Error('--devices is a comma-separated list of counts');
  return {
    devices,
    broker,
    maxInFlight: Math.min(500, Number(values['max-in-flight'] ?? 200)),
    latency: values['latency-ms'] ?? '20,200',
    minutes: Math.min(30, Number(values.minutes ?? 10)),
    bridge,
    pollMs: Math.max(100, Number(values['poll-ms'] ?? 1000)),
    offlineShare: Math.min(1, Math.max(0, Number(values['offline-share'] ?? 0))),
    deviceTimeoutSeconds:
      values['device-timeout-seconds'] === undefined
        ? undefined
        : Math.max(1, Number(values['device-timeout-seconds'])),
  };
}

export function describeResult(result: IssueCommandResult): string {
  const history = result.largestHistory;
  return [
    `issue_command reboot on ${result.devices} devices (${result.broker}, registry ${result.registry}):`,
    `  ${result.finished ? 'completed' : 'NOT finished (time bound)'} in ${result.wallSeconds} s -> ${result.devicesPerSecond} devices/s, status ${result.status}`,
    `  online devices ${result.onlineDevices} (offline ${result.offlineDevices}): ${result.onlineAnsweredSeconds === undefined ? 'NOT all answered' : `all answered after ${result.onlineAnsweredSeconds} s -> ${result.onlineDevicesPerSecond} devices/s`}`,
    `  counts ${JSON.stringify(result.counts)}`,
    `  simulator ${JSON.stringify(result.simulator)}; acted == success: ${result.simulatorMatchesSuccess}`,
    `  largest history ${history ? `${history.events} events: ${history.workflowType} ${history.workflowId} (of ${history.executions} executions)` : 'n/a'}`,
    `  peak RSS: bench process (worker + API + registry client${result.broker.includes('aedes') ? ' + broker' : ''}) ${result.peakBenchProcessMegabytes} MB, Temporal dev server ${result.peakTemporalServerMegabytes} MB`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options = optionsFromArguments(process.argv.slice(2));
  const results: IssueCommandResult[] = [];
  for (const devices of options.devices) {
    const result = await runIssueCommand(options, devices);
    results.push(result);
    process.stdout.write(`${describeResult(result)}\n${JSON.stringify(result)}\n`);
  }
  process.stdout.write(`RESULT ${JSON.stringify(results)}\n`);
  process.exit(0);
}
