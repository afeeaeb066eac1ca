import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { trustProxySchema } from './trust-proxy';

// The only reader of process.env: every other module receives a Config.
const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const port = z.coerce.number().int().min(0).max(65535);

const environmentSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().default('127.0.0.1'),
  // Whose X-Forwarded-For gives the caller's address (config/trust-proxy.ts); off by default.
  TRUST_PROXY: trustProxySchema,
  DATA_DIR: z.string().default('data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('fleet-actions'),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_UI_URL: optionalString,
  TEMPORAL_CLI_PATH: z.string().default('.tools/venv/bin/temporal'),
  TEMPORAL_TEST_SERVER_PATH: z.string().default('.tools/venv/bin/temporal-test-server'),
  // Set: the registry is that PostgreSQL server and no embedded one starts. Unset: the embedded
  // PostgreSQL of `npm start` (data under DATA_DIR/postgres) on 127.0.0.1:REGISTRY_PORT.
  DATABASE_URL: optionalString,
  // 5433 rather than 5432, which a system PostgreSQL often holds; 0 picks a free port (tests).
  REGISTRY_PORT: port.default(5433),
  // off for throw-away registries (the test run's): a power cut may then corrupt them, a crashed
  // process never does. On for `npm start`, whose data should survive anything.
  REGISTRY_FSYNC: z.enum(['on', 'off']).default('on'),
  MQTT_URL: optionalString,
  // Where devices connect when it differs from the service's MQTT_URL (Mosquitto's device listener).
  MQTT_DEVICE_URL: optionalString,
  MQTT_PORT: port.default(1883),
  MQTT_SERVICE_USERNAME: z.string().default('fleet-actions-service'),
  MQTT_SERVICE_PASSWORD: optionalString,
  // Off by default: every worker's persistent session receives every ack, so none is lost while a
  // worker is down; `true` splits acks between workers ($share), which Mosquitto does not queue.
  MQTT_SHARED_SUBSCRIPTIONS: z.enum(['true', 'false']).optional(),
  // Mosquitto's auth directory (scripts/ci/start-mosquitto.sh): credential rotations sync it.
  MOSQUITTO_AUTH_DIR: optionalString,
  // Names this worker's persistent MQTT session, so acknowledgements that arrive while it is down
  // (a crash, a restart) wait for it in the broker. Unique per worker; stable across its restarts.
  WORKER_ID: optionalString,
  // A standalone worker (`npm run start:worker`) serves its Prometheus metrics (the engine's series
  // and the Temporal SDK's worker metrics) here; several workers on one host need a port each.
  WORKER_METRICS_PORT: port.default(9464),
  WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  // Bulk responses a company may have not yet ended; one more answers 429 with Retry-After.
  MAX_ACTIVE_BULK_RESPONSES: z.coerce.number().int().min(1).default(100),
  // Lets webhooks reach loopback and private networks (local use and tests); never metadata.
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  // `npm start` on one machine: the niceness of the worker and the Temporal dev server (and of
  // their sessions), so the API answers reads first (scripts/embedded/process-priority.ts). 0 turns
  // it off. 10 measured best for reads without slowing rollouts or starts (docs/decisions.md).
  ROLLOUT_WORK_NICENESS: z.coerce.number().int().min(0).max(19).default(10),
  SEED_DEMO_ON_START: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
});

// Secrets may come from files (Docker secrets, a cluster's generated secrets): `X_FILE` names a
// file whose content, without its trailing newline, is the value of `X`.
const fileSecretNames = ['DATABASE_URL', 'MQTT_SERVICE_PASSWORD'] as const;

function readSecretFile(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new Error(`Invalid configuration: ${name}_FILE: cannot read ${file} (${(error as Error).message})`, {
      cause: error,
    });
  }
}

function withFileSecrets(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const resolved = { ...environment };
  for (const name of fileSecretNames) {
    const file = environment[`${name}_FILE`]?.trim();
    if (!file) continue;
    if (environment[name]?.trim()) throw new Error(`Invalid configuration: set ${name} or ${name}_FILE, not both`);
    resolved[name] = readSecretFile(name, file);
  }
  return resolved;
}

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(environment: NodeJS.ProcessEnv = process.env) {
  const parsed = environmentSchema.safeParse(withFileSecrets(environment));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    api: { port: env.PORT, host: env.HOST, trustProxy: env.TRUST_PROXY },
    dataDir,
    logLevel: env.LOG_LEVEL,
    temporal: {
      address: env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_DEV_PORT}`,
      startDevServer: env.TEMPORAL_ADDRESS === undefined,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      devServerPort: env.TEMPORAL_DEV_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      uiUrl: env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`,
      cliPath: path.resolve(env.TEMPORAL_CLI_PATH),
      testServerPath: path.resolve(env.TEMPORAL_TEST_SERVER_PATH),
      sqliteFile: path.join(dataDir, 'temporal.sqlite'),
    },
    registry: {
      databaseUrl: env.DATABASE_URL,
      embedded: {
        directory: path.join(dataDir, 'postgres'),
        passwordFile: path.join(dataDir, 'registry-password'),
        host: '127.0.0.1',
        port: env.REGISTRY_PORT,
        user: 'fleet',
        database: 'fleet',
        fsync: env.REGISTRY_FSYNC === 'on',
      },
    },
    mqtt: {
      url: env.MQTT_URL ?? `mqtt://127.0.0.1:${env.MQTT_PORT}`,
      deviceUrl: env.MQTT_DEVICE_URL ?? env.MQTT_URL ?? `mqtt://127.0.0.1:${env.MQTT_PORT}`,
      startEmbeddedBroker: env.MQTT_URL === undefined,
      port: env.MQTT_PORT,
      serviceUsername: env.MQTT_SERVICE_USERNAME,
      servicePassword: env.MQTT_SERVICE_PASSWORD,
      mosquittoAuthDirectory: env.MOSQUITTO_AUTH_DIR === undefined ? undefined : path.resolve(env.MOSQUITTO_AUTH_DIR),
      sharedSubscriptionGroup: env.MQTT_SHARED_SUBSCRIPTIONS === 'true' ? 'fleet-actions' : undefined,
    },
    seedDemoOnStart: env.SEED_DEMO_ON_START,
    rolloutWorkNiceness: env.ROLLOUT_WORK_NICENESS,
    webhooks: { allowPrivateAddresses: env.WEBHOOK_ALLOW_PRIVATE },
    admission: { maxActiveBulkResponses: env.MAX_ACTIVE_BULK_RESPONSES },
    workerId: env.WORKER_ID ?? hostname(),
    workerMetrics: { port: env.WORKER_METRICS_PORT, host: env.WORKER_METRICS_HOST },
  };
}

// The environment of a process this one starts (`npm start`'s services, configured by
// environment variables only): this process's own, with `overrides` set on top.
export function childEnvironment(
  overrides: Record<string, string>,
  environment: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return { ...environment, ...overrides };
}
