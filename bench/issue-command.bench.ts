import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import request from 'supertest';
import type { BulkResponseRecord } from '../registry/bulk-responses.repository';
import type { Queryable } from '../registry/database';
import type { SimulatorStats } from '../simulator/simulator-stats';
import { createBenchTenant, type BenchTenant } from './support/bench-tenant';
import { ceilingPageSize, describeCeiling, measureEngineCeiling, type EngineCeiling } from './support/engine-ceiling';
import type { EngineUnderTest } from './support/engine-under-test';
import { startIssueCommandStack } from './support/issue-command-stack';
import { largestHistory, type LargestHistory } from './support/history-sizes';
import { startBridgedBroker } from './support/mosquitto-bridge';
import { samplePeakMemory } from './support/peak-memory';
import { startSimulatorProcesses } from './support/simulator-process';
import { benchTargetKind } from './support/temporal-target';

// issue_command (gateway command reboot) on every device of a fleet, through the real engine:
// HTTP API -> Temporal (dev server on a SQLite file, or the cluster with BENCH_TARGET=cluster) ->
// worker -> MQTT broker(s) -> simulated devices in child processes -> acks -> async completion.
// On the dev server it runs the topology `npm start` runs (bench/support/issue-command-stack.ts).
// Each scenario (fleet size x offline share) runs on a fresh stack and first measures the engine
// ceiling on the same server (bench/support/engine-ceiling.ts), so devices/s comes with its ratio
// to the ceiling of that run. Prints devices/s, the largest workflow history and peak resident
// memory (worker, API, Temporal server). Bounded in devices and time; asserts nothing.
//   npx tsx bench/issue-command.bench.ts [--devices 5000,20000] [--offline-shares 0,0.05]
//     [--broker auto|embedded|mosquitto] [--max-in-flight 200] [--latency-ms 20,200]
//     [--minutes 10] [--bridge auto|on|off] [--poll-ms 1000]
//     [--device-timeout-seconds <60 with offline devices, else --minutes * 60>]
//     [--ceiling-activities 5000] [--worker-processes <cluster: 2, dev server: in-process>]
// The registry is the stack's embedded PostgreSQL, or (cluster, --worker-processes) a throw-away
// database on DATABASE_URL's server (the cluster's PostgreSQL on the cluster).

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
  // No-op activities of the engine ceiling measured before the rollout; 0 skips it.
  ceilingActivities?: number;
  // Worker and API as separate processes (this many workers); default: in this process.
  workerProcesses?: number;
}

const platform = '/api/v1/platform';
// One simulator process holds about 19,500 sockets under a 20,000 open-file limit: stay well below.
const devicesPerSimulatorProcess = 10_000;
// With the broker in this process, its device sockets count against this process's limit.
const embeddedBrokerDeviceLimit = 8_000;
// Above this, one Mosquitto runs out of file descriptors: the devices spread over bridged ones.
const singleMosquittoDeviceLimit = 19_000;

function bridgedBrokersFor(options: IssueCommandOptions, devices: number): number {
  const needed = Math.ceil(devices / singleMosquittoDeviceLimit) - 1;
  if (options.bridge === 'off') return 0;
  return options.bridge === 'on' ? Math.max(1, needed) : needed;
}

// Worker processes share the acks through Mosquitto's shared subscription, as in production;
// aedes would hand every ack to every worker.
function embeddedBrokerFor(options: IssueCommandOptions, devices: number): boolean {
  const automatic = devices <= embeddedBrokerDeviceLimit && !options.workerProcesses;
  return options.broker === 'embedded' || (options.broker === 'auto' && automatic);
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
}

// Polls like an API client would, until the rollout ends or the time bound.
async function waitForEnd(engine: EngineUnderTest, tenant: BenchTenant, id: string, bounds: WaitBounds) {
  let lastReport = Date.now();
  for (;;) {
    const response = await request(engine.app)
      .get(`${platform}/bulk_responses/${id}`)
      .set('Authorization', tenant.authorization);
    const record = response.body as BulkResponseRecord;
    if (record.completed_at || Date.now() > bounds.deadline) return { record, finished: Boolean(record.completed_at) };
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      process.stderr.write(`  ... ${record.status}: ${JSON.stringify(record.counts)}\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, bounds.pollMs));
  }
}

// When the service heard the last answer, from the rows (the time it received each one), so the
// figure is not rounded up to the next poll: a 10 s rollout polled every second moved by 10 %.
async function lastAnswerAt(database: Queryable, id: string): Promise<number | undefined> {
  const [row] = await database.query<{ last: Date | null }>(
    `select max(answered_at) as last from bulk_response_devices
      where bulk_response_id = $1 and status in ('success', 'fail')`,
    [id],
  );
  return row?.last ? row.last.getTime() : undefined;
}

export interface IssueCommandResult {
  devices: number;
  // 'npm start' (scripts/embedded/stack.ts) or 'bench-composed' (cluster, --worker-processes).
  topology: string;
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
  target: string;
  ceiling: EngineCeiling | undefined;
  // devices/s (all online) or online devices/s (some offline) over the ceiling's activities/s.
  ratioToCeiling: number | undefined;
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
  // The worker processes' peaks, or the bench process's when the worker runs in it.
  peakWorkerMegabytes: number[];
  peakApiMegabytes: number;
  peakTemporalServerMegabytes: number;
}

function ratio(devicesPerSecond: number | undefined, ceiling: EngineCeiling | undefined): number | undefined {
  if (devicesPerSecond === undefined || !ceiling) return undefined;
  return Math.round((devicesPerSecond / ceiling.activitiesPerSecond) * 100) / 100;
}

export async function runIssueCommand(options: IssueCommandOptions, devices: number): Promise<IssueCommandResult> {
  const directory = mkdtempSync(path.join(tmpdir(), 'fleet-bench-'));
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const stack = await startIssueCommandStack({
      directory,
      embeddedBroker: embeddedBrokerFor(options, devices),
      workerProcesses: options.workerProcesses,
    });
    stops.unshift(() => stack.stop());
    const { harness, engine, target } = stack;
    // The service connected first (the stack starts it), so devices never take the broker's last sockets.
    const company = await harness.addCompany(devices);
    const tenant = await createBenchTenant(harness.database, company.companyId);
    const ceiling = options.ceilingActivities
      ? await measureEngineCeiling({
          address: target.address,
          namespace: target.namespace,
          activities: options.ceilingActivities,
          maxInFlight: options.maxInFlight,
          pageSize: ceilingPageSize,
          openPages: 2,
        })
      : undefined;
    if (ceiling) process.stderr.write(`  ${describeCeiling(ceiling)}\n`);
    const deviceUrls = [harness.deviceUrl];
    if (harness.name === 'mosquitto') {
      for (let bridged = bridgedBrokersFor(options, devices); bridged > 0; bridged -= 1) {
        const broker = await startBridgedBroker(harness);
        stops.unshift(() => broker.close());
        deviceUrls.push(broker.deviceUrl);
      }
    }
    // Each process talks to one broker, and no broker gets more devices than it can hold.
    const processesPerBroker = Math.ceil(devices / deviceUrls.length / devicesPerSimulatorProcess);
    const processes = deviceUrls.length * processesPerBroker;
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
    const workerMemory = engine.workerPids.map((pid) => samplePeakMemory(pid));
    const apiMemory = samplePeakMemory(engine.apiPid);
    const serverMemory = samplePeakMemory(target.serverPid);
    // The wall clock, which the registry's times are on too (one machine).
    const started = Date.now();
    const id = await startAction(engine, tenant, options, options.minutes);
    const { record, finished } = await waitForEnd(engine, tenant, id, {
      deadline: Date.now() + options.minutes * 60_000,
      pollMs: options.pollMs,
    });
    const endedAt = record.completed_at ? Date.parse(record.completed_at) : Date.now();
    const wallSeconds = (endedAt - started) / 1000;
    const answeredAt =
      record.counts.success + record.counts.fail >= atStart.connected && (await lastAnswerAt(harness.database, id));
    const onlineAnsweredSeconds = answeredAt ? (answeredAt - started) / 1000 : undefined;
    const peakBench = benchMemory.stop().peakMegabytes;
    const peakWorkers = workerMemory.map((memory) => memory.stop().peakMegabytes);
    const peakApi = apiMemory.stop().peakMegabytes;
    const peakServer = serverMemory.stop().peakMegabytes;
    const tally = await simulator.stats();
    const devicesPerSecond = Math.round(
      (record.counts.success + record.counts.fail + record.counts.timed_out) / wallSeconds,
    );
    const onlineDevicesPerSecond = onlineAnsweredSeconds && Math.round(atStart.connected / onlineAnsweredSeconds);
    const brokers = deviceUrls.length;
    return {
      devices,
      topology: stack.topology,
      broker:
        brokers > 1
          ? `${harness.name} + ${brokers - 1} bridged mosquitto (devices spread over ${brokers})`
          : harness.name,
      registry: 'postgres',
      finished,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      devicesPerSecond,
      offlineDevices: atStart.devicesOffline,
      onlineDevices: atStart.connected,
      onlineAnsweredSeconds: onlineAnsweredSeconds && Math.round(onlineAnsweredSeconds * 10) / 10,
      onlineDevicesPerSecond,
      target: target.kind,
      ceiling,
      ratioToCeiling: ratio(atStart.devicesOffline > 0 ? onlineDevicesPerSecond : devicesPerSecond, ceiling),
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
      peakWorkerMegabytes: peakWorkers,
      peakApiMegabytes: peakApi,
      peakTemporalServerMegabytes: peakServer,
    };
  } finally {
    for (const stop of stops)
      await stop().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
    rmSync(directory, { recursive: true, force: true });
  }
}

interface IssueCommandArguments {
  base: IssueCommandOptions;
  offlineShares: number[];
}

function optionsFromArguments(argv: string[]): IssueCommandArguments {
  const { values } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string' },
      'offline-shares': { type: 'string' },
      broker: { type: 'string' },
      'max-in-flight': { type: 'string' },
      'latency-ms': { type: 'string' },
      minutes: { type: 'string' },
      bridge: { type: 'string' },
      'poll-ms': { type: 'string' },
      'device-timeout-seconds': { type: 'string' },
      'ceiling-activities': { type: 'string' },
      'worker-processes': { type: 'string' },
    },
  });
  const broker = values.broker ?? 'auto';
  if (broker !== 'auto' && broker !== 'embedded' && broker !== 'mosquitto')
    throw new Error('--broker is auto, embedded or mosquitto');
  const bridge = values.bridge ?? 'auto';
  if (bridge !== 'auto' && bridge !== 'on' && bridge !== 'off') throw new Error('--bridge is auto, on or off');
  const devices = (values.devices ?? '5000,20000')
    .split(',')
    .map((count) => Math.min(100_000, Math.max(1, Number(count))));
  if (devices.some((count) => !Number.isInteger(count)))
    throw new Error('--devices is a comma-separated list of counts');
  const offlineShares = (values['offline-shares'] ?? '0,0.05')
    .split(',')
    .map((share) => Math.min(0.5, Math.max(0, Number(share))));
  if (offlineShares.some(Number.isNaN)) throw new Error('--offline-shares is a comma-separated list of shares');
  const workerProcesses = Number(values['worker-processes'] ?? (benchTargetKind() === 'cluster' ? 2 : 0));
  return {
    offlineShares,
    base: {
      devices,
      broker,
      maxInFlight: Math.min(500, Number(values['max-in-flight'] ?? 200)),
      latency: values['latency-ms'] ?? '20,200',
      minutes: Math.min(30, Number(values.minutes ?? 10)),
      bridge,
      pollMs: Math.max(100, Number(values['poll-ms'] ?? 1000)),
      ...(values['device-timeout-seconds'] === undefined
        ? {}
        : { deviceTimeoutSeconds: Math.max(1, Number(values['device-timeout-seconds'])) }),
      ceilingActivities: Math.min(100_000, Math.max(0, Number(values['ceiling-activities'] ?? 5000))),
      ...(workerProcesses > 0 ? { workerProcesses: Math.min(8, workerProcesses) } : {}),
    },
  };
}

function megabytes(values: number[]): string {
  return values.map((value) => `${value} MB`).join(', ');
}

export function describeResult(result: IssueCommandResult): string {
  const history = result.largestHistory;
  const inProcess = result.peakApiMegabytes === result.peakBenchProcessMegabytes;
  return [
    `issue_command reboot on ${result.devices} devices (${result.topology} topology, ${result.target}, ${result.broker}, registry ${result.registry}):`,
    `  ${result.finished ? 'completed' : 'NOT finished (time bound)'} in ${result.wallSeconds} s -> ${result.devicesPerSecond} devices/s, status ${result.status}`,
    `  online devices ${result.onlineDevices} (offline ${result.offlineDevices}): ${result.onlineAnsweredSeconds === undefined ? 'NOT all answered' : `all answered after ${result.onlineAnsweredSeconds} s -> ${result.onlineDevicesPerSecond} devices/s`}`,
    `  ${result.ceiling ? `${describeCeiling(result.ceiling)}; ratio ${result.ratioToCeiling ?? 'n/a'} (goal >= 0.8)` : 'engine ceiling not measured'}`,
    `  counts ${JSON.stringify(result.counts)}`,
    `  simulator ${JSON.stringify(result.simulator)}; acted == success: ${result.simulatorMatchesSuccess}`,
    `  largest history ${history ? `${history.events} events: ${history.workflowType} ${history.workflowId} (of ${history.executions} executions)` : 'n/a'}`,
    inProcess
      ? `  peak RSS: bench process (worker + API + registry client${result.broker.includes('aedes') ? ' + broker' : ''}) ${result.peakBenchProcessMegabytes} MB, Temporal server ${result.peakTemporalServerMegabytes} MB`
      : `  peak RSS: workers ${megabytes(result.peakWorkerMegabytes)}, API ${result.peakApiMegabytes} MB, Temporal server ${result.peakTemporalServerMegabytes} MB, bench process ${result.peakBenchProcessMegabytes} MB`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { base, offlineShares } = optionsFromArguments(process.argv.slice(2));
  const results: IssueCommandResult[] = [];
  for (const devices of base.devices) {
    for (const offlineShare of offlineShares) {
      // Offline devices hold the rollout open until their deadline: a short one keeps the run short.
      const deviceTimeoutSeconds = base.deviceTimeoutSeconds ?? (offlineShare > 0 ? 60 : undefined);
      const result = await runIssueCommand(
        { ...base, offlineShare, ...(deviceTimeoutSeconds ? { deviceTimeoutSeconds } : {}) },
        devices,
      );
      results.push(result);
      process.stdout.write(`${describeResult(result)}\n${JSON.stringify(result)}\n`);
    }
  }
  process.stdout.write(`RESULT ${JSON.stringify(results)}\n`);
  process.exit(0);
}
