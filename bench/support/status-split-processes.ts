import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../../config/config';
import { silentLogger, testServiceCredentials } from '../../harness/device-fixtures';
import { freePort } from '../../harness/free-port';
import { openDatabase } from '../../registry/database';
import { migrate } from '../../registry/migrate';
import { startTemporalDevServer } from '../../scripts/embedded/temporal-dev-server';
import { startEmbeddedBroker } from '../../transport/broker';
import type { StatusStack } from './status-stack';
import { stopChildProcess } from '../../scripts/embedded/child-process';

const root = fileURLToPath(new URL('../..', import.meta.url));
const startupDeadlineMs = 120_000;

// The production topology on loopback: a throw-away database on the PostgreSQL server named by
// DATABASE_URL, a Temporal dev server, the embedded broker (in this process), and the worker and
// the API as their own processes through worker/main.ts and api/main.ts.
export async function startSplitProcesses(databaseUrl: string, directory: string): Promise<StatusStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const url = await createThrowAwayDatabase(databaseUrl, stops);
    const database = await openDatabase({ databaseUrl: url });
    stops.push(() => database.close());
    await migrate(database);
    const broker = await startEmbeddedBroker({
      port: 0,
      database,
      serviceUsername: testServiceCredentials.username,
      servicePassword: testServiceCredentials.password,
      logger: silentLogger,
    });
    stops.push(() => broker.close());
    const temporalPort = await freePort();
    const devServer = await startTemporalDevServer({
      cliPath: loadConfig().temporal.cliPath,
      port: temporalPort,
      namespace: 'default',
      sqliteFile: path.join(directory, 'temporal.sqlite'),
    });
    stops.push(() => devServer.stop());
    const environment = {
      ...process.env,
      DATABASE_URL: url,
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_TASK_QUEUE: 'status-latency',
      MQTT_URL: broker.url,
      MQTT_SHARED_SUBSCRIPTIONS: 'false',
      MQTT_SERVICE_USERNAME: testServiceCredentials.username,
      MQTT_SERVICE_PASSWORD: testServiceCredentials.password,
      DATA_DIR: directory,
      LOG_LEVEL: 'warn',
    };
    const metricsPort = await freePort();
    const worker = startChild('worker/main.ts', {
      ...environment,
      WORKER_ID: 'status-latency',
      WORKER_METRICS_PORT: String(metricsPort),
    });
    stops.push(() => stopChildProcess(worker, 20_000));
    // The worker polls once the Temporal runtime exports its task slots.
    await waitFor(`http://127.0.0.1:${metricsPort}/metrics`, worker, (text) => /^temporal_\w+/m.test(text));
    const apiPort = await freePort();
    const api = startChild('api/main.ts', { ...environment, PORT: String(apiPort), HOST: '127.0.0.1' });
    stops.push(() => stopChildProcess(api, 20_000));
    const baseUrl = `http://127.0.0.1:${apiPort}`;
    await waitFor(`${baseUrl}/healthz`, api, () => true);
    return { baseUrl, database, deviceUrl: broker.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function createThrowAwayDatabase(databaseUrl: string, stops: (() => Promise<unknown>)[]): Promise<string> {
  const name = `status_bench_${randomBytes(6).toString('hex')}`;
  const administer = async (statement: string) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(statement);
    await client.end();
  };
  await administer(`create database ${name}`);
  stops.push(() => administer(`drop database if exists ${name} with (force)`));
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function startChild(entry: string, environment: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: environment, stdio: 'inherit' });
}

async function waitFor(url: string, child: ChildProcess, ready: (text: string) => boolean): Promise<void> {
  const deadline = Date.now() + startupDeadlineMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited (${child.exitCode})`);
    const text = await fetch(url).then(
      (answer) => answer.text(),
      () => undefined,
    );
    if (text !== undefined && ready(text)) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${startupDeadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
