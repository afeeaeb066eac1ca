import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { loadConfig, type Config } from '../../config/config';
import type { BrokerHarness } from '../../harness/broker-harness';
import { silentLogger } from '../../harness/device-fixtures';
import { freePort } from '../../harness/free-port';
import { startEngine } from '../../worker/engine-runtime';
import { installBenchRuntime } from './bench-runtime';
import { startTemporalTarget, type TemporalTarget } from './temporal-target';
import { stopChildProcess } from '../../scripts/embedded/child-process';

export interface EngineUnderTestOptions {
  // Worker and API as `npm run start:worker` / `start:api` processes (several workers), so each
  // has its own resident memory; needs a registry other processes can open (PostgreSQL).
  workerProcesses?: number;
  // Config overrides, e.g. MAX_ACTIVE_BULK_RESPONSES for the accept-latency bench.
  environment?: Record<string, string>;
}

export interface EngineUnderTest {
  // What supertest drives: the app itself in this process, or the API process's URL.
  app: Express | string;
  temporal: Client;
  target: TemporalTarget;
  config: Config;
  // Processes whose resident memory the benches report: 'self' is this process.
  workerPids: (number | 'self')[];
  apiPid: number | 'self';
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

// The engine in this process on a Temporal target of its own (the dev server unless
// BENCH_TARGET=cluster), stopped with it.
export async function startEngineUnderTest(
  harness: BrokerHarness,
  directory: string,
): Promise<EngineUnderTest & { app: Express }> {
  const target = await startTemporalTarget(directory);
  try {
    const engine = await startEngineOnTarget(harness, target, directory);
    const app = engine.app;
    if (typeof app === 'string') throw new Error('the in-process engine serves no URL');
    return {
      ...engine,
      app,
      stop: async () => {
        await engine.stop();
        await target.stop();
      },
    };
  } catch (error) {
    await target.stop();
    throw error;
  }
}

// The engine as `npm start` composes it (worker with its device transport and the HTTP app in this
// process), or as the production topology runs it (worker and API processes), on the given
// Temporal around a broker harness (which owns the registry). Each engine has a task queue of
// its own, so engines that share a cluster never take each other's tasks.
export async function startEngineOnTarget(
  harness: BrokerHarness,
  target: TemporalTarget,
  directory: string,
  options: EngineUnderTestOptions = {},
): Promise<EngineUnderTest> {
  installBenchRuntime();
  const environment: Record<string, string> = {
    TEMPORAL_ADDRESS: target.address,
    TEMPORAL_NAMESPACE: target.namespace,
    TEMPORAL_TASK_QUEUE: `fleet-actions-bench-${randomBytes(4).toString('hex')}`,
    MQTT_URL: harness.serviceUrl,
    MQTT_SHARED_SUBSCRIPTIONS: harness.sharedSubscriptionGroup ? 'true' : 'false',
    MQTT_SERVICE_USERNAME: harness.service.username,
    DATA_DIR: directory,
    LOG_LEVEL: 'silent',
    SEED_DEMO_ON_START: 'false',
    ...options.environment,
  };
  const config = loadConfig({ ...environment, TEMPORAL_CLI_PATH: loadConfig().temporal.cliPath });
  const connection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const parts =
    options.workerProcesses === undefined
      ? await startInProcess(harness, config, temporal)
      : await startProcesses(harness, environment, options.workerProcesses);
  return {
    ...parts,
    temporal,
    target,
    config,
    stop: async () => {
      await parts.stop();
      await connection.close();
    },
  };
}

async function startInProcess(harness: BrokerHarness, config: Config, temporal: Client) {
  const engine = await startEngine({
    config,
    database: harness.database,
    logger: silentLogger,
    mqttPassword: harness.service.password,
  });
  const running = engine.run();
  const app = createApp({ config, database: harness.database, temporal, logger: silentLogger });
  return {
    app,
    workerPids: ['self' as const],
    apiPid: 'self' as const,
    stop: async () => {
      await engine.stop();
      await running;
    },
  };
}

async function startProcesses(harness: BrokerHarness, environment: Record<string, string>, workers: number) {
  if (!harness.database.url) throw new Error('worker processes need a PostgreSQL registry (DATABASE_URL)');
  const shared = {
    ...process.env,
    ...environment,
    LOG_LEVEL: 'warn',
    DATABASE_URL: harness.database.url,
    MQTT_SERVICE_PASSWORD: harness.service.password,
  };
  const children: ChildProcess[] = [];
  const stop = () => Promise.all(children.map((child) => stopChildProcess(child, 20_000))).then(() => undefined);
  try {
    for (let index = 0; index < workers; index += 1) {
      const metricsPort = await freePort();
      children.push(
        startChild('worker/main.ts', {
          ...shared,
          WORKER_ID: `bench-${index + 1}`,
          WORKER_METRICS_PORT: String(metricsPort),
        }),
      );
      await waitForListening(`http://127.0.0.1:${metricsPort}/metrics`, children.at(-1)!);
    }
    const apiPort = await freePort();
    const api = startChild('api/main.ts', { ...shared, PORT: String(apiPort), HOST: '127.0.0.1' });
    children.push(api);
    const url = `http://127.0.0.1:${apiPort}`;
    await waitForListening(`${url}/healthz`, api);
    return {
      app: url,
      workerPids: children.slice(0, workers).map((child) => child.pid ?? 0),
      apiPid: api.pid ?? 0,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function startChild(entry: string, environment: NodeJS.ProcessEnv): ChildProcess {
  return fork(fileURLToPath(new URL(entry, `file://${root}`)), [], {
    cwd: root,
    env: environment,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

// Any answer means the process listens (a worker's metrics, the API's health).
async function waitForListening(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited (${child.exitCode})`);
    const answered = await fetch(url).then(
      () => true,
      () => false,
    );
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
