import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { childEnvironment, type Config } from '../../config/config';
import { openDatabase } from '../../registry/database';
import { seedDemo } from '../../registry/demo-seed';
import { migrate } from '../../registry/migrate';
import { yieldToReads } from './process-priority';
import { claimRunDirectory, type RunFiles } from './run-files';
import { spawnServiceChild, type ServiceChildOptions } from './service-child';
import { embeddedServicePassword } from './service-secret';
import { startTemporalDevServer } from './temporal-dev-server';

// The embedded stack wired in one place, for `npm start` and the benches alike: the shape of
// docker-compose.yml on one machine. The registry (embedded PostgreSQL) and the Temporal dev
// server first, then migrations and the demo seed, the MQTT broker (aedes, for Mosquitto), and
// the worker and the API, each service its own process through its production entry point and
// configured by environment variables only. Whatever DATABASE_URL, TEMPORAL_ADDRESS or MQTT_URL
// names is used instead of starting it. Stopped in reverse order.

export interface EmbeddedStackOptions {
  config: Config;
  // Set in every service's environment, over this process's own (which `config` was read from).
  environment: Record<string, string>;
  logger: Logger;
  // The services' output: the supervisor's terminal, or one log file each in a directory.
  output: 'inherit' | { directory: string };
  // A service that exits on its own while the stack runs.
  onServiceExit?: (name: string, code: number | null) => void;
  // A broker of the caller's instead of the stack's (a bench's Mosquitto for fleets beyond what
  // one aedes process holds), set up once the registry runs.
  externalBroker?: (registry: { databaseUrl: string }) => Promise<ExternalBroker>;
  // The dev server's dynamic configuration over its defaults (a bench comparing matchers).
  temporalDynamicConfig?: Record<string, string>;
}

export interface ExternalBroker {
  url: string;
  username: string;
  password: string;
  sharedSubscriptions: boolean;
}

export interface StartedStack {
  databaseUrl: string;
  apiUrl: string;
  temporalAddress: string;
  mqttUrl: string;
  servicePassword: string;
  demoCredentials: string | undefined;
  pids: Record<string, number>;
}

export interface EmbeddedStack {
  start(): Promise<StartedStack>;
  // Stops what has started, in reverse order; also cuts a start short.
  stop(): Promise<void>;
}

type Service = 'registry' | 'temporal' | 'broker' | 'worker' | 'api';
const stopOrder: Service[] = ['api', 'worker', 'broker', 'temporal', 'registry'];
const graceMilliseconds: Record<Service, number> = {
  api: 10_000,
  worker: 20_000,
  broker: 5_000,
  temporal: 10_000,
  registry: 20_000,
};
const entries = {
  registry: 'scripts/embedded/registry-process.ts',
  broker: 'transport/broker-main.ts',
  worker: 'worker/main.ts',
  api: 'api/main.ts',
} as const;

// The API's garbage collector on one machine with the rollout's work: scavenges run on the main
// thread alone (V8's helper threads, descheduled on busy shared cores, stretched each pause to
// 10-80 ms with every request in flight waiting), and a larger young generation makes them
// rarer. Measured in bench/status-latency.bench.ts: docs/decisions.md, "Reads while a rollout runs".
const nodeFlags: Partial<Record<Service, string[]>> = {
  api: ['--single-threaded-gc', '--max-semi-space-size=32'],
};

class StackStopped extends Error {}

export function createEmbeddedStack(options: EmbeddedStackOptions): EmbeddedStack {
  const { config, logger } = options;
  const running = new Map<Service, { pid: number; stop: () => Promise<void> }>();
  let runFiles: RunFiles | undefined;
  let spawnedTemporal: ChildProcess | undefined;
  let stopping = false;

  // A service that comes up after a stop began is stopped at once: the stop has passed it by.
  const track = async (name: Service, pid: number, stop: () => Promise<void>) => {
    if (stopping) {
      await stop();
      throw new StackStopped(`stopped while ${name} was starting`);
    }
    running.set(name, { pid, stop });
    runFiles?.record(name, pid);
  };

  const startService = async (name: Exclude<Service, 'temporal'>, environment: Record<string, string>) => {
    const output: ServiceChildOptions['output'] =
      options.output === 'inherit' ? 'inherit' : { logFile: path.join(options.output.directory, `${name}.log`) };
    const child = spawnServiceChild({
      name,
      entry: entries[name],
      environment: childEnvironment({ ...options.environment, ...environment }),
      output,
      nodeFlags: nodeFlags[name],
    });
    child.process.once('exit', (code) => {
      if (!stopping) options.onServiceExit?.(name, code);
    });
    if (name === 'worker') void yieldToReads(child.pid, config.rolloutWorkNiceness);
    // One that has not served yet has nothing to finish (a worker still bundling its workflows
    // would otherwise go on for seconds): killed outright, except the registry, whose
    // PostgreSQL must be stopped by it.
    let served = false;
    void child.ready.then(() => (served = true)).catch(() => undefined);
    await track(name, child.pid, () => child.stop(served || name === 'registry' ? graceMilliseconds[name] : 0));
    return child.ready;
  };

  const startRegistry = async (): Promise<string> => {
    if (config.registry.databaseUrl) return config.registry.databaseUrl;
    const registry = await startService('registry', {});
    return String(registry.url);
  };

  const startTemporal = async (): Promise<string> => {
    if (!config.temporal.startDevServer) return config.temporal.address;
    const server = await startTemporalDevServer({
      cliPath: config.temporal.cliPath,
      port: config.temporal.devServerPort,
      uiPort: config.temporal.uiPort,
      sqliteFile: config.temporal.sqliteFile,
      namespace: config.temporal.namespace,
      detached: true,
      ...(options.temporalDynamicConfig ? { dynamicConfig: options.temporalDynamicConfig } : {}),
      // Known before it answers, so a stop or the next start can reach it while it starts.
      onSpawn: (child) => {
        void yieldToReads(child.pid, config.rolloutWorkNiceness);
        spawnedTemporal = child;
        runFiles?.record('temporal', child.pid!);
      },
    });
    await track('temporal', server.process.pid!, () => server.stop());
    return server.address;
  };

  const prepareRegistry = async (databaseUrl: string): Promise<string | undefined> => {
    const database = await openDatabase({ databaseUrl });
    try {
      await migrate(database);
      if (!config.seedDemoOnStart) return undefined;
      return (await seedDemo(database, { dataDir: config.dataDir })).credentialsPath;
    } finally {
      await database.close();
    }
  };

  const startBroker = async (databaseUrl: string, servicePassword: string): Promise<ExternalBroker> => {
    const service = { username: config.mqtt.serviceUsername, password: servicePassword, sharedSubscriptions: false };
    if (options.externalBroker) return options.externalBroker({ databaseUrl });
    if (!config.mqtt.startEmbeddedBroker) return { url: config.mqtt.url, ...service };
    const broker = await startService('broker', { DATABASE_URL: databaseUrl, MQTT_SERVICE_PASSWORD: servicePassword });
    return { url: String(broker.url), ...service };
  };

  return {
    start: async () => {
      mkdirSync(config.dataDir, { recursive: true });
      runFiles = await claimRunDirectory(config.dataDir, [
        ...(['registry', 'broker', 'worker', 'api'] as const).map((name) => ({ name, marks: [entries[name]] })),
        { name: 'temporal', marks: ['start-dev', config.temporal.sqliteFile] },
      ]);
      const servicePassword = config.mqtt.servicePassword ?? embeddedServicePassword(config.dataDir);
      logger.info('starting the registry, the Temporal dev server and the MQTT broker');
      // The broker needs the migrated registry (it republishes configurations from it); both hide
      // behind the dev server's start, the longest of the three.
      const registryReady = startRegistry();
      const seeded = registryReady.then(prepareRegistry);
      const brokerReady = seeded.then(async () => startBroker(await registryReady, servicePassword));
      const [databaseUrl, temporalAddress, demoCredentials, broker] = await Promise.all([
        registryReady,
        startTemporal(),
        seeded,
        brokerReady,
      ]);
      const serviceEnvironment = {
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: temporalAddress,
        MQTT_URL: broker.url,
        MQTT_SERVICE_USERNAME: broker.username,
        MQTT_SERVICE_PASSWORD: broker.password,
        MQTT_SHARED_SUBSCRIPTIONS: broker.sharedSubscriptions ? 'true' : 'false',
      };
      // Together, the worker first: its metrics port is up (about 2 s) before the API listens, so
      // whoever sees the API also finds the worker; its workflow bundle then shares the CPU with
      // the API's start.
      logger.info('starting the worker and the API');
      await Promise.all([startService('worker', serviceEnvironment), startService('api', serviceEnvironment)]);
      return {
        databaseUrl,
        apiUrl: `http://${config.api.host}:${config.api.port}`,
        temporalAddress,
        mqttUrl: broker.url,
        servicePassword: broker.password,
        demoCredentials,
        pids: Object.fromEntries([...running].map(([name, service]) => [name, service.pid])),
      };
    },
    stop: async () => {
      stopping = true;
      // A dev server still starting is not tracked yet: nothing of it needs a clean stop.
      if (!running.has('temporal') && spawnedTemporal?.exitCode === null) spawnedTemporal.kill('SIGKILL');
      for (const name of stopOrder) {
        const service = running.get(name);
        if (!service) continue;
        running.delete(name);
        await service
          .stop()
          .catch((error: unknown) => logger.warn({ err: error, service: name }, 'did not stop cleanly'));
        runFiles?.forget(name);
      }
      runFiles?.forget('supervisor');
    },
  };
}

export function isStackStopped(error: unknown): boolean {
  return error instanceof StackStopped;
}
