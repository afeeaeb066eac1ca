import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app';
import { loadConfig } from '../config/config';
import type { Database } from '../registry/database';
import { startTemporalDevServer, type DevServer } from '../scripts/embedded/temporal-dev-server';
import { startAckTap, type AckTap } from './ack-tap';
import { silentLogger } from './device-fixtures';
import { installFinalOnceWitness } from './final-once-witness';
import { freePort } from './free-port';
import { startRestartableBroker, type RestartableBroker } from './restartable-broker';
import { startServiceProcess, type ServiceProcess } from './service-process';
import { openTestDatabase } from './test-database';
import { waitingRollouts, type WaitingRollout } from './waiting-rollouts';

// The real stack of a fault run, every piece on loopback and restartable on its own: a
// throw-away database on the run's PostgreSQL (DATABASE_URL), a Temporal dev server on a SQLite file (its state
// survives a restart), the embedded broker on a fixed port, workers as child processes through
// worker/main.ts, and the API in this process or as a child process through api/main.ts.

export interface FaultStack {
  dataDirectory: string;
  database: Database;
  broker: RestartableBroker;
  ackTap: AckTap;
  temporalAddress: string;
  startWorker(workerId: string): Promise<ServiceProcess>;
  // The API in this process, on a free port; returns its url.
  serveApi(): Promise<string>;
  // The API as a child process on the given port (kill -9 and start again on the same port).
  startApiProcess(port: number): Promise<ServiceProcess>;
  restartTemporal(): Promise<void>;
  // Workflow tasks the workers failed as nondeterministic (a replay that differs from the history:
  // the rollout never moves again), from the workers' logs.
  nondeterminismErrors(): number;
  // For a run that stopped progressing: what each unfinished rollout waits for.
  waitingRollouts(): Promise<WaitingRollout[]>;
  // Keeps the data directory (child process logs, Temporal's SQLite file) when asked.
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export async function startFaultStack(): Promise<FaultStack> {
  const dataDirectory = mkdtempSync(path.join(tmpdir(), 'fleet-faults-'));
  const database = await openTestDatabase();
  await installFinalOnceWitness(database);
  const service = { username: 'fleet-actions-service', password: randomBytes(18).toString('base64url') };
  const broker = await startRestartableBroker({ database, service, logger: silentLogger });
  const ackTap = await startAckTap(broker.url, service);
  const temporalPort = await freePort();
  const base = loadConfig({});
  const startTemporal = () =>
    startTemporalDevServer({
      cliPath: base.temporal.cliPath,
      port: temporalPort,
      namespace: base.temporal.namespace,
      sqliteFile: path.join(dataDirectory, 'temporal.sqlite'),
    });
  // A dev server that never came up leaves nothing running behind it (the test then fails at
  // once instead of hanging on an open broker and pool).
  let devServer: DevServer = await startTemporal().catch(async (error: unknown) => {
    await ackTap.close();
    await broker.close();
    await database.close();
    throw error;
  });
  const environment = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: devServer.address,
    MQTT_URL: broker.url,
    MQTT_SERVICE_USERNAME: service.username,
    MQTT_SERVICE_PASSWORD: service.password,
    MQTT_SHARED_SUBSCRIPTIONS: 'false',
    DATA_DIR: dataDirectory,
    LOG_LEVEL: 'info',
  };
  const children = new Set<ServiceProcess>();
  const track = async (starting: Promise<ServiceProcess>) => {
    const child = await starting;
    children.add(child);
    child.process.once('exit', () => children.delete(child));
    return child;
  };
  let started = 0;
  const logFile = (name: string) => path.join(dataDirectory, `${name}-${++started}.log`);
  const servers: Server[] = [];
  const connections: Connection[] = [];
  return {
    dataDirectory,
    database,
    broker,
    ackTap,
    temporalAddress: devServer.address,
    startWorker: (workerId) =>
      track(
        startServiceProcess({
          entry: 'worker/main.ts',
          environment: { ...environment, WORKER_ID: workerId, WORKER_METRICS_PORT: '0' },
          readyMessage: 'worker running',
          logFile: logFile('worker'),
        }),
      ),
    serveApi: async () => {
      const config = loadConfig({ ...environment, LOG_LEVEL: 'silent' });
      const connection = await Connection.connect({ address: devServer.address });
      connections.push(connection);
      const temporal = new Client({ connection, namespace: config.temporal.namespace });
      const app = createApp({ config, database, temporal, logger: silentLogger });
      const port = await freePort();
      await new Promise<void>((resolve) => servers.push(app.listen(port, '127.0.0.1', () => resolve())));
      return `http://127.0.0.1:${port}`;
    },
    startApiProcess: (port) =>
      track(
        startServiceProcess({
          entry: 'api/main.ts',
          environment: { ...environment, PORT: String(port), HOST: '127.0.0.1' },
          readyMessage: 'API listening',
          logFile: logFile('api'),
        }),
      ),
    waitingRollouts: () =>
      waitingRollouts(database, { address: devServer.address, namespace: base.temporal.namespace }),
    nondeterminismErrors: () =>
      readdirSync(dataDirectory)
        .filter((file) => file.startsWith('worker-'))
        .reduce((sum, file) => sum + countLines(path.join(dataDirectory, file), 'Nondeterminism error'), 0),
    restartTemporal: async () => {
      await devServer.stop();
      devServer = await startTemporal();
    },
    stop: async (options = {}) => {
      await Promise.all([...children].map((child) => child.stop()));
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await Promise.all(connections.map((connection) => connection.close()));
      await ackTap.close();
      await devServer.stop();
      await broker.close();
      await database.close();
      if (!options.keepData) rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}

function countLines(file: string, text: string): number {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(text)).length;
}
