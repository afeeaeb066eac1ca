import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { loadConfig } from '../../config/config';
import { startTemporalDevServer, type DevServer } from '../../scripts/embedded/temporal-dev-server';
import type { BrokerHarness } from '../../harness/broker-harness';
import { freePort } from '../../harness/free-port';
import { silentLogger } from '../../harness/device-fixtures';
import { startEngine, type Engine } from '../../worker/engine-runtime';

export interface EngineUnderTest {
  app: Express;
  temporal: Client;
  devServer: DevServer;
  engine: Engine;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

// The engine as `npm start` composes it, around a broker harness (which owns the registry): a
// headless Temporal dev server on a SQLite file (the embedded stack's pragmas), the worker with
// its device transport in this process, and the HTTP app.
export async function startEngineUnderTest(harness: BrokerHarness, directory: string): Promise<EngineUnderTest> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    runtimeInstalled = true;
  }
  const temporalPort = await freePort();
  const config = loadConfig({
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_CLI_PATH: loadConfig().temporal.cliPath,
    MQTT_URL: harness.serviceUrl,
    MQTT_SHARED_SUBSCRIPTIONS: harness.sharedSubscriptionGroup ? 'true' : 'false',
    MQTT_SERVICE_USERNAME: harness.service.username,
    DATA_DIR: directory,
    LOG_LEVEL: 'silent',
  });
  const devServer = await startTemporalDevServer({
    cliPath: config.temporal.cliPath,
    port: temporalPort,
    namespace: config.temporal.namespace,
    sqliteFile: path.join(directory, 'temporal.sqlite'),
  });
  const engine = await startEngine({
    config,
    database: harness.database,
    logger: silentLogger,
    mqttPassword: harness.service.password,
  });
  const running = engine.run();
  const connection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const app = createApp({ config, database: harness.database, temporal, logger: silentLogger });
  return {
    app,
    temporal,
    devServer,
    engine,
    stop: async () => {
      await engine.stop();
      await running;
      await connection.close();
      await devServer.stop();
    },
  };
}
