import { parseArgs } from 'node:util';
import { defaultBehaviour, parseLatency, type LatencyRange } from './device-behaviour';
import { defaultSimulatorSeed } from './seeded-random';

// Command-line options of `npm run simulate`; defaults describe the embedded stack, with the
// API and broker addresses taken from the configuration (PORT, MQTT_PORT, MQTT_DEVICE_URL...).
export interface SimulatorOptions {
  api: string;
  credentialsFile: string;
  fleetId: string | undefined;
  devices: number | undefined;
  mqttUrl: string;
  latency: LatencyRange;
  failureRate: number;
  offlineShare: number;
  progressShare: number;
  progressWorkMs: number;
  brickShare: number;
  brickAfterMs: number;
  seed: number;
  churnPerMinute: number;
  churnDowntimeMs: number;
  heartbeatScale: number;
  durationSeconds: number | undefined;
  summaryFile: string | undefined;
  connectConcurrency: number;
}

export interface SimulatorDefaults {
  apiUrl: string;
  mqttUrl: string;
  credentialsFile: string;
}

export type SimulatorCommand = { help: true } | ({ help: false } & SimulatorOptions);

export function simulatorUsage(defaults: SimulatorDefaults): string {
  return `Usage: npm run simulate -- (--fleet <id|name> | --devices <N>) [options]

Virtual devices speaking the device protocol (docs/device-protocol.md) until --duration or
Ctrl-C; then a summary JSON on stdout (and in --summary-file).

  --fleet <id|name>         simulate the devices of this fleet (credentials rotated through the API;
                            a name is looked up in the --credentials file, e.g. "All devices")
  --devices <N>             with --fleet: only the first N devices; alone: N generated devices
                            written straight to the registry (DATABASE_URL, else npm start's)
  --api <url>               API base (default ${defaults.apiUrl}, from PORT)
  --credentials <file>      admin credentials written by the demo seed
                            (default ${defaults.credentialsFile}, from DATA_DIR)
  --mqtt-url <url>          device broker (default ${defaults.mqttUrl}, from MQTT_DEVICE_URL,
                            MQTT_URL or MQTT_PORT)
  --latency-ms <min,max>    uniform answer latency (default 50,500)
  --failure-rate <0..1>     share of commands answered "fail" (default 0)
  --offline-share <0..1>    share of devices that stay offline, chosen at random (default 0)
  --progress-share <0..1>   share of devices, chosen at random, that work --progress-ms on each
                            command and send in_progress reports meanwhile (percent, step, and
                            extend_seconds when the work would outlast the deadline) (default 0)
  --progress-ms <n>         how long those devices work on a command (default 10000)
  --brick-share <0..1>      share of devices, chosen at random, that answer success to a restarting
                            command (reboot, factory_reset, software_update, restore_backup) and
                            then die: no heartbeat, connection dropped, never back (default 0)
  --brick-after-ms <n>      how long after that answer the connection drops (default 500)
  --seed <n>                seed of every random choice: offline, progress and bricking devices,
                            failures, latencies
                            (default ${defaultSimulatorSeed}: runs are reproducible)
  --churn <n>               disconnections per minute across the fleet (default 0)
  --churn-downtime-ms <n>   how long a churned device stays away (default 2000)
  --heartbeat-scale <x>     heartbeats x times faster than heartbeat_period (default 1)
  --duration <s>            stop after s seconds (default: until Ctrl-C or SIGTERM)
  --summary-file <file>     also write the summary JSON there
  --connect-concurrency <n> connections opened at once (default 200)
  -h, --help                print this help`;
}

function numberIn(
  text: string | undefined,
  name: string,
  fallback: number,
  minimum: number,
  maximum = Number.POSITIVE_INFINITY,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < minimum || value > maximum)
    throw new Error(`--${name} must be a number in [${minimum}, ${maximum}]`);
  return value;
}

function integerIn(text: string | undefined, name: string, fallback: number, minimum: number, maximum: number) {
  const value = numberIn(text, name, fallback, minimum, maximum);
  if (!Number.isInteger(value)) throw new Error(`--${name} must be an integer`);
  return value;
}

const valueOptions = [
  'api',
  'credentials',
  'fleet',
  'devices',
  'mqtt-url',
  'latency-ms',
  'failure-rate',
  'offline-share',
  'progress-share',
  'progress-ms',
  'brick-share',
  'brick-after-ms',
  'seed',
  'churn',
  'churn-downtime-ms',
  'heartbeat-scale',
  'duration',
  'summary-file',
  'connect-concurrency',
] as const;

export function parseSimulatorOptions(argv: string[], defaults: SimulatorDefaults): SimulatorCommand {
  const stringOptions = Object.fromEntries(valueOptions.map((name) => [name, { type: 'string' as const }]));
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { ...stringOptions, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) return { help: true };
  const given = values as Record<string, string | undefined>;
  const text = (name: (typeof valueOptions)[number]): string | undefined => given[name];
  if (text('fleet') === undefined && text('devices') === undefined)
    throw new Error('give --fleet <id|name> or --devices <N>');
  return {
    help: false,
    api: text('api') ?? defaults.apiUrl,
    credentialsFile: text('credentials') ?? defaults.credentialsFile,
    fleetId: text('fleet'),
    devices: text('devices') === undefined ? undefined : integerIn(text('devices'), 'devices', 0, 1, 10_000_000),
    mqttUrl: text('mqtt-url') ?? defaults.mqttUrl,
    latency: parseLatency(text('latency-ms') ?? '50,500'),
    failureRate: numberIn(text('failure-rate'), 'failure-rate', 0, 0, 1),
    offlineShare: numberIn(text('offline-share'), 'offline-share', 0, 0, 1),
    progressShare: numberIn(text('progress-share'), 'progress-share', 0, 0, 1),
    progressWorkMs: numberIn(text('progress-ms'), 'progress-ms', defaultBehaviour.progressWorkMs, 0),
    brickShare: numberIn(text('brick-share'), 'brick-share', 0, 0, 1),
    brickAfterMs: numberIn(text('brick-after-ms'), 'brick-after-ms', defaultBehaviour.brickAfterMs, 0),
    seed: integerIn(text('seed'), 'seed', defaultSimulatorSeed, 0, 2 ** 32 - 1),
    churnPerMinute: numberIn(text('churn'), 'churn', 0, 0),
    churnDowntimeMs: numberIn(text('churn-downtime-ms'), 'churn-downtime-ms', 2000, 0),
    heartbeatScale: numberIn(text('heartbeat-scale'), 'heartbeat-scale', 1, 0.001),
    durationSeconds: text('duration') === undefined ? undefined : numberIn(text('duration'), 'duration', 0, 0),
    summaryFile: text('summary-file'),
    connectConcurrency: integerIn(text('connect-concurrency'), 'connect-concurrency', 200, 1, 100_000),
  };
}
