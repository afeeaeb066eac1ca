import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { loadConfig, type Config } from '../../config/config';
import type { Database } from '../../registry/database';
import { startTemporalDevServer, type DevServer } from '../../scripts/embedded/temporal-dev-server';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../transport/broker';
import { startEngine, type Engine } from '../../worker/engine-runtime';
import { installFinalOnceWitness } from '../../harness/final-once-witness';
import { freePort } from '../../harness/free-port';
import { openTestDatabase } from './test-database';
import { silentLogger, testServiceCredentials } from '../../harness/device-fixtures';
import { sharedWorkflowBundle } from '../../harness/workflow-bundle';

let runtimeInstalled = false;

export interface EngineStack {
  config: Config;
  app: Express;
  database: Database;
  temporal: Client;
  broker: EmbeddedBroker;
  devServer: DevServer;
  engine: Engine;
  dataDir: string;
  stop(): Promise<void>;
}

// The real pieces on loopback: a Temporal dev server (in memory), a fresh registry (a throw-away
// database on the run's PostgreSQL), the embedded broker, one worker with its device transport,
// and the HTTP app: what `npm start` runs as processes, here in the test's process, so a test
// can reach the engine and the app directly (fault tests run the real entry points as processes).
export async function startEngineStack(options: { reconcileIntervalMilliseconds?: number } = {}): Promise<EngineStack> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fleet-actions-'));
  const database = await openTestDatabase();
  // Every row that leaves a final status is written down, for the end-to-end tallies.
  await installFinalOnceWitness(database);
  const broker = await startEmbeddedBroker({
    port: 0,
    database,
    serviceUsername: testServiceCredentials.username,
    servicePassword: testServiceCredentials.password,
    logger: silentLogger,
  });
  const temporalPort = await freePort();
  const config = loadConfig({
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    MQTT_URL: broker.url,
    MQTT_SHARED_SUBSCRIPTIONS: 'false',
    MQTT_SERVICE_USERNAME: testServiceCredentials.username,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  });
  const devServer = await startTemporalDevServer({
    cliPath: config.temporal.cliPath,
    port: temporalPort,
    namespace: 'default',
  });
  const engine = await startEngine({
    config,
    database,
    logger: silentLogger,
    mqttPassword: testServiceCredentials.password,
    workflowBundle: await sharedWorkflowBundle(),
    ...options,
  });
  const running = engine.run();
  const connection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: 'default' });
  const app = createApp({ config, database, temporal, logger: silentLogger });
  return {
    config,
    app,
    database,
    temporal,
    broker,
    devServer,
    engine,
    dataDir,
    stop: async () => {
      await engine.stop();
      await running;
      await connection.close();
      await devServer.stop();
      await broker.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
