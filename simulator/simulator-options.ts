import { parseArgs } from 'node:util';
import { parseLatency, type LatencyRange } from './device-behaviour';

// Command-line options of `npm run simulate`; defaults describe the embedded stack.
export interface SimulatorOptions {
  api: string;
  credentialsFile: string;
  fleetId: string | undefined;
  devices: number | undefined;
  mqttUrl: string;
  latency: LatencyRange;
  failureRate: number;
  offlineShare: number;
  churnPerMinute: number;
  churnDowntimeMs: number;
  heartbeatScale: number;
  durationSeconds: number | undefined;
  summaryFile: string | undefined;
  connectConcurrency: number;
}

export const simulatorUsage = `npm run simulate -- (--fleet <id> | --devices <N>) [options]
  --fleet <id>            simulate the devices of this fleet (credentials rotated through the API)
  --devices <N>           with --fleet: only the first N devices; alone: N generated devices
                          written straight to the registry (needs DATABASE_URL)
  --api <url>             API base (default http://127.0.0.1:3000)
  --credentials <file>    admin credentials written by the demo seed (default data/demo-credentials.json)
  --mqtt-url <url>        device broker URL (default MQTT_DEVICE_URL, MQTT_URL or the embedded broker)
  --latency-ms <min,max>  uniform answer latency (default 50,500)
  --failure-rate <0..1>   share of commands answered "fail" (default 0)
  --offline-share <0..1>  share of devices that stay offline (default 0)
  --churn <n>             disconnections per minute across the fleet (default 0)
  --churn-downtime-ms <n> how long a churned device stays away (default 2000)
  --heartbeat-scale <x>   heartbeats x times faster than heartbeat_period (default 1)
  --duration <s>          stop after s seconds (default: until Ctrl-C)
  --summary-file <file>   also write the summary JSON there
  --connect-concurrency <n> connections opened at once (default 200)`;

function numberIn(
  text: string | undefined,
  name: string,
  fallback: number,
  minimum: number,
  maximum = Number.POSITIVE_INFINITY,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < minimum || value > maximum)
    throw new Error(`--${name} must be a number in [${minimum}, ${maximum}]`);
  return value;
}

export function parseSimulatorOptions(argv: string[], defaultMqttUrl: string): SimulatorOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: Object.fromEntries(
      [
        'api',
        'credentials',
        'fleet',
        'devices',
        'mqtt-url',
        'latency-ms',
        'failure-rate',
        'offline-share',
        'churn',
        'churn-downtime-ms',
        'heartbeat-scale',
        'duration',
        'summary-file',
        'connect-concurrency',
      ].map((name) => [name, { type: 'string' as const }]),
    ),
  });
  const text = (name: string): string | undefined => values[name];
  if (text('fleet') === undefined && text('devices') === undefined)
    throw new Error('give --fleet <id> or --devices <N>');
  return {
    api: text('api') ?? 'http://127.0.0.1:3000',
    credentialsFile: text('credentials') ?? 'data/demo-credentials.json',
    fleetId: text('fleet'),
    devices: text('devices') === undefined ? undefined : numberIn(text('devices'), 'devices', 0, 1),
    mqttUrl: text('mqtt-url') ?? defaultMqttUrl,
    latency: parseLatency(text('latency-ms') ?? '50,500'),
    failureRate: numberIn(text('failure-rate'), 'failure-rate', 0, 0, 1),
    offlineShare: numberIn(text('offline-share'), 'offline-share', 0, 0, 1),
    churnPerMinute: numberIn(text('churn'), 'churn', 0, 0),
    churnDowntimeMs: numberIn(text('churn-downtime-ms'), 'churn-downtime-ms', 2000, 0),
    heartbeatScale: numberIn(text('heartbeat-scale'), 'heartbeat-scale', 1, 0.001),
    durationSeconds: text('duration') === undefined ? undefined : numberIn(text('duration'), 'duration', 0, 0),
    summaryFile: text('summary-file'),
    connectConcurrency: numberIn(text('connect-concurrency'), 'connect-concurrency', 200, 1),
  };
}
