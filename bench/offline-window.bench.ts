import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  describeResult,
  runIssueCommand,
  type IssueCommandOptions,
  type IssueCommandResult,
} from './issue-command.bench';

// Issue 9's check that offline devices do not hold back the online ones: in one run, issue_command
// reboot on an all-online fleet, then on a fresh stack with the same fleet size where a share of the
// devices stays offline (the simulator's seeded spread through the fleet), both with the same
// device deadline. Figures: devices/s of the online devices (online devices / seconds from the POST
// until the last of them answered), the ratio offline/all-online (goal >= 0.8, not asserted), the
// rollout's total time and the largest history of any execution. Ends with `RESULT {json}`.
//   npx tsx bench/offline-window.bench.ts [--devices 3000] [--offline-share 0.05]
//     [--device-timeout-seconds 60] [--max-in-flight 200] [--latency-ms 20,200]
//     [--broker embedded|mosquitto|auto] [--poll-ms 250] [--minutes 3]

interface OfflineWindowOptions {
  base: IssueCommandOptions;
  devices: number;
  offlineShare: number;
}

function optionsFromArguments(argv: string[]): OfflineWindowOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string' },
      'offline-share': { type: 'string' },
      'device-timeout-seconds': { type: 'string' },
      'max-in-flight': { type: 'string' },
      'latency-ms': { type: 'string' },
      broker: { type: 'string' },
      'poll-ms': { type: 'string' },
      minutes: { type: 'string' },
    },
  });
  const broker = values.broker ?? 'embedded';
  if (broker !== 'auto' && broker !== 'embedded' && broker !== 'mosquitto')
    throw new Error('--broker is auto, embedded or mosquitto');
  const devices = Math.min(20_000, Math.max(20, Number(values.devices ?? 3000)));
  const offlineShare = Math.min(0.5, Math.max(0, Number(values['offline-share'] ?? 0.05)));
  if (!Number.isInteger(devices) || Number.isNaN(offlineShare))
    throw new Error('--devices is an integer, --offline-share a number in [0, 0.5]');
  return {
    devices,
    offlineShare,
    base: {
      devices: [devices],
      broker,
      maxInFlight: Math.min(500, Number(values['max-in-flight'] ?? 200)),
      latency: values['latency-ms'] ?? '20,200',
      // Bounds each scenario; the offline one needs the deadline on top of the online devices' time.
      minutes: Math.min(10, Number(values.minutes ?? 3)),
      bridge: 'off',
      pollMs: Math.max(100, Number(values['poll-ms'] ?? 250)),
      deviceTimeoutSeconds: Math.max(1, Number(values['device-timeout-seconds'] ?? 60)),
    },
  };
}

function scenarioFigures(result: IssueCommandResult) {
  return {
    onlineDevices: result.onlineDevices,
    offlineDevices: result.offlineDevices,
    onlineAnsweredSeconds: result.onlineAnsweredSeconds ?? null,
    onlineDevicesPerSecond: result.onlineDevicesPerSecond ?? null,
    rolloutSeconds: result.wallSeconds,
    finished: result.finished,
    status: result.status,
    counts: result.counts,
    largestHistoryEvents: result.largestHistory?.events ?? null,
    largestHistoryWorkflowType: result.largestHistory?.workflowType ?? null,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options = optionsFromArguments(process.argv.slice(2));
  const label = `${Math.round(options.offlineShare * 100)} % offline`;
  const allOnline = await runIssueCommand({ ...options.base, offlineShare: 0 }, options.devices);
  process.stdout.write(`(a) all online\n${describeResult(allOnline)}\n`);
  const someOffline = await runIssueCommand({ ...options.base, offlineShare: options.offlineShare }, options.devices);
  process.stdout.write(`(b) ${label}\n${describeResult(someOffline)}\n`);
  const online = allOnline.onlineDevicesPerSecond;
  const offline = someOffline.onlineDevicesPerSecond;
  const ratio = online && offline !== undefined ? Math.round((offline / online) * 100) / 100 : null;
  const largest = Math.max(allOnline.largestHistory?.events ?? 0, someOffline.largestHistory?.events ?? 0);
  process.stdout.write(
    [
      `online devices/s: all online ${online ?? 'n/a'}, ${label} ${offline ?? 'n/a'} -> ratio ${ratio ?? 'n/a'} (goal >= 0.8, not asserted)`,
      `rollout total time: all online ${allOnline.wallSeconds} s, ${label} ${someOffline.wallSeconds} s (device deadline ${options.base.deviceTimeoutSeconds} s)`,
      `largest history of any execution: ${largest} events`,
    ].join('\n') + '\n',
  );
  const result = {
    devices: options.devices,
    offlineShare: options.offlineShare,
    deviceTimeoutSeconds: options.base.deviceTimeoutSeconds,
    maxInFlight: options.base.maxInFlight,
    broker: allOnline.broker,
    allOnline: scenarioFigures(allOnline),
    someOffline: scenarioFigures(someOffline),
    onlineDevicesPerSecondRatio: ratio,
    largestHistoryEvents: largest,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}
