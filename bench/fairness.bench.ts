import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BulkResponseRecord } from '../registry/bulk-responses.repository';
import { createFairnessTenants, type FairnessTenant } from './support/fairness-tenants';
import { startIssueCommandStack } from './support/issue-command-stack';
import { startBridgedBroker } from './support/mosquitto-bridge';
import {
  cancelRollout,
  median,
  postAction,
  readRecord,
  timeRollout,
  waitForRollout,
  type RolloutClient,
  type RolloutTiming,
} from './support/rollout-timing';
import { startSimulatorProcesses } from './support/simulator-process';

// Priority and fairness (issue 20 item 8), measured in the topology `npm start` runs (API, worker,
// broker, embedded PostgreSQL and the dev server as their own processes; a private Mosquitto
// replaces the broker process above 8,000 devices) with simulated devices in child processes.
// Company A runs a big priority-3 reboot; meanwhile
//   (a) company B's small reboot (priority 3): its time from POST to completed, against the same
//       rollout alone on the same stack (goal: at most 1.5x);
//   (b) company A's small priority-1 reboot: when its first and last device were sent to, against
//       the same rollout alone.
// The alone runs come before the big rollout starts and once more after it was canceled; the
// big one is canceled once the measurements are done, so the run is bounded. Asserts nothing.
//   npx tsx bench/fairness.bench.ts [--big-devices 20000] [--small-devices 500] [--rounds 3]
//     [--latency-ms 20,200] [--max-in-flight <the product's default>] [--server fair|fifo|fair-4-partitions]
//     [--minutes 15] [--poll-ms 200]
// --server picks the dev server's matcher: `fair` is what `npm start` runs (priority and fairness,
// one partition); `fifo` the dev server's own defaults; `fair-4-partitions` fairness on four.

const serverConfigurations: Record<string, Record<string, string>> = {
  fair: {},
  'fair-4-partitions': {
    'matching.numTaskqueueReadPartitions': '4',
    'matching.numTaskqueueWritePartitions': '4',
  },
  fifo: {
    'matching.useNewMatcher': 'false',
    'matching.enableFairness': 'false',
    'matching.numTaskqueueReadPartitions': '4',
    'matching.numTaskqueueWritePartitions': '4',
  },
};

interface FairnessOptions {
  bigDevices: number;
  smallDevices: number;
  rounds: number;
  latency: string;
  maxInFlight: number | undefined;
  server: string;
  minutes: number;
  pollMs: number;
}

function optionsFromArguments(argv: string[]): FairnessOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'big-devices': { type: 'string' },
      'small-devices': { type: 'string' },
      rounds: { type: 'string' },
      'latency-ms': { type: 'string' },
      'max-in-flight': { type: 'string' },
      server: { type: 'string' },
      minutes: { type: 'string' },
      'poll-ms': { type: 'string' },
    },
  });
  const server = values.server ?? 'fair';
  if (!(server in serverConfigurations)) throw new Error('--server is fair, fifo or fair-4-partitions');
  const count = (value: string | undefined, fallback: number, maximum: number) =>
    Math.min(maximum, Math.max(1, Math.round(Number(value ?? fallback))));
  return {
    bigDevices: count(values['big-devices'], 20_000, 40_000),
    smallDevices: count(values['small-devices'], 500, 5_000),
    rounds: count(values.rounds, 3, 10),
    latency: values['latency-ms'] ?? '20,200',
    maxInFlight: values['max-in-flight'] === undefined ? undefined : count(values['max-in-flight'], 100, 500),
    server,
    minutes: count(values.minutes, 15, 60),
    pollMs: count(values['poll-ms'], 200, 5_000),
  };
}

const answered = (record: BulkResponseRecord) => record.counts.success + record.counts.fail;

function reboot(options: FairnessOptions, priority: number) {
  return {
    action: 'issue_command',
    gateway_command: 'reboot',
    priority,
    ...(options.maxInFlight ? { rollout: { max_in_flight: options.maxInFlight } } : {}),
  };
}

interface Phase {
  other: RolloutTiming[];
  urgent: RolloutTiming[];
}

// `rounds` times: company B's small rollout, then company A's urgent one, each to its end.
async function measurePhase(
  options: FairnessOptions,
  clients: { other: RolloutClient; urgent: RolloutClient },
  fleets: { other: FairnessTenant; urgent: FairnessTenant },
  rounds: number,
  deadline: number,
): Promise<Phase> {
  const phase: Phase = { other: [], urgent: [] };
  for (let round = 0; round < rounds; round += 1) {
    phase.other.push(await timeRollout(clients.other, fleets.other.fleetId, reboot(options, 3), deadline));
    process.stderr.write(`  round ${round + 1}: B ${JSON.stringify(phase.other.at(-1))}\n`);
    phase.urgent.push(await timeRollout(clients.urgent, fleets.urgent.fleetId, reboot(options, 1), deadline));
    process.stderr.write(`  round ${round + 1}: A urgent ${JSON.stringify(phase.urgent.at(-1))}\n`);
  }
  return phase;
}

const ratioOf = (during: number | null, alone: number | null) =>
  during === null || alone === null || alone === 0 ? null : Math.round((during / alone) * 100) / 100;

function summarise(alone: RolloutTiming[], during: RolloutTiming[], key: keyof RolloutTiming) {
  const pick = (timings: RolloutTiming[]) => timings.map((timing) => timing[key] as number | null);
  const aloneMedian = median(pick(alone));
  const duringMedian = median(pick(during));
  return {
    alone: pick(alone),
    during: pick(during),
    aloneMedian,
    duringMedian,
    ratio: ratioOf(duringMedian, aloneMedian),
  };
}

async function run(options: FairnessOptions) {
  const directory = mkdtempSync(path.join(tmpdir(), 'fleet-bench-fairness-'));
  const stops: (() => Promise<unknown>)[] = [];
  const deadline = Date.now() + options.minutes * 60_000;
  const total = options.bigDevices + 2 * options.smallDevices;
  try {
    const stack = await startIssueCommandStack({
      directory,
      embeddedBroker: total <= 8_000,
      workerProcesses: undefined,
      temporalDynamicConfig: serverConfigurations[options.server]!,
    });
    stops.unshift(() => stack.stop());
    const { harness, engine } = stack;
    const tenants = await createFairnessTenants(harness, options.bigDevices, options.smallDevices);
    const urls = [harness.deviceUrl];
    // One Mosquitto holds about 19,000 devices under this machine's open-file limit.
    if (harness.name === 'mosquitto' && total > 19_000) {
      const bridged = await startBridgedBroker(harness);
      stops.unshift(() => bridged.close());
      urls.push(bridged.deviceUrl);
    }
    const processes = Math.max(urls.length, Math.ceil(total / 10_000));
    const simulator = await startSimulatorProcesses({
      urls: Array.from({ length: processes }, (_, index) => urls[index % urls.length]!),
      devices: tenants.devices,
      latency: options.latency,
      directory,
    });
    stops.unshift(() => simulator.stop());
    const client = (tenant: FairnessTenant): RolloutClient => ({
      api: engine.app,
      authorization: tenant.authorization,
      database: harness.database,
      pollMilliseconds: options.pollMs,
    });
    const clients = { other: client(tenants.other), urgent: client(tenants.urgent), big: client(tenants.big) };
    const loadAtStart = loadavg()[0]!;
    // The first rollout on a fresh stack pays for cold caches and connections: not counted.
    await timeRollout(clients.other, tenants.other.fleetId, reboot(options, 3), deadline);
    const before = await measurePhase(options, clients, tenants, options.rounds, deadline);

    const bigStarted = performance.now();
    const bigId = await postAction(clients.big, tenants.big.fleetId, reboot(options, 3));
    const warm = Math.min(1_000, Math.ceil(options.bigDevices * 0.05));
    const bigWarm = await waitForRollout(clients.big, bigId, deadline, (record) => answered(record) >= warm);
    const warmSeconds = (performance.now() - bigStarted) / 1000;
    const during = await measurePhase(options, clients, tenants, options.rounds, deadline);
    const bigAfter = await readRecord(clients.big, bigId);
    const duringSeconds = (performance.now() - bigStarted) / 1000 - warmSeconds;
    await cancelRollout(clients.big, bigId);
    const bigEnd = await waitForRollout(clients.big, bigId, deadline);
    const after = await measurePhase(options, clients, tenants, 1, deadline);
    const tally = await simulator.stats();

    const alone = { other: [...before.other, ...after.other], urgent: [...before.urgent, ...after.urgent] };
    const fairness = summarise(alone.other, during.other, 'completedSeconds');
    return {
      options,
      topology: stack.topology,
      broker: urls.length > 1 ? `${harness.name} + 1 bridged` : harness.name,
      loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0]! },
      fairness: { ...fairness, goal: 1.5, met: fairness.ratio !== null && fairness.ratio <= 1.5 },
      priority: {
        firstSend: summarise(alone.urgent, during.urgent, 'firstSendSeconds'),
        lastSend: summarise(alone.urgent, during.urgent, 'lastSendSeconds'),
        completed: summarise(alone.urgent, during.urgent, 'completedSeconds'),
      },
      big: {
        devices: options.bigDevices,
        answeredWhenMeasuringBegan: answered(bigWarm),
        answeredWhenMeasuringEnded: answered(bigAfter),
        devicesPerSecondWhileMeasured: Math.round((answered(bigAfter) - answered(bigWarm)) / duringSeconds),
        runningThroughout: !bigAfter.completed_at,
        endStatus: bigEnd.status,
      },
      timings: { before, during, after },
      simulator: { connected: tally.connected, commandsActed: tally.commandsActed, duplicates: tally.duplicates },
    };
  } finally {
    for (const stop of stops)
      await stop().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
    rmSync(directory, { recursive: true, force: true });
  }
}

const options = optionsFromArguments(process.argv.slice(2));
const result = await run(options);
const { fairness, priority, big } = result;
process.stdout.write(
  [
    `fairness and priority, ${options.bigDevices} + 2 x ${options.smallDevices} devices, server ${options.server} (${result.topology}, ${result.broker}):`,
    `  (a) company B's ${options.smallDevices}-device reboot, POST to completed: alone ${fairness.aloneMedian} s, during A's ${options.bigDevices} ${fairness.duringMedian} s -> ratio ${fairness.ratio} (goal <= 1.5)`,
    `  (b) company A's priority-1 ${options.smallDevices}: first send alone ${priority.firstSend.aloneMedian} s / during ${priority.firstSend.duringMedian} s; last send ${priority.lastSend.aloneMedian} / ${priority.lastSend.duringMedian} s (ratio ${priority.lastSend.ratio}); completed ${priority.completed.aloneMedian} / ${priority.completed.duringMedian} s`,
    `  big rollout: ${big.devicesPerSecondWhileMeasured} devices/s while measured, running throughout: ${big.runningThroughout}`,
    `  load average ${result.loadAverage.atStart} -> ${result.loadAverage.atEnd}`,
    `RESULT ${JSON.stringify(result)}`,
  ].join('\n') + '\n',
);
process.exit(0);
