import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createApp } from '../api/app';
import { loadConfig, type Config } from '../config/config';
import { createLogger } from '../config/logger';
import { loopbackMetricsEndpoint } from '../config/metrics';
import { openDatabase } from '../registry/database';
import { seedDemo } from '../registry/demo-seed';
import { migrate } from '../registry/migrate';
import { startEmbeddedBroker } from '../transport/broker';
import { mosquittoCredentialSync } from '../transport/mosquitto-credentials';
import { republishRetainedConfigurations } from '../transport/retained-configuration';
import { startEngine } from '../worker/engine-runtime';
import { claimDataDirectory } from './embedded/pid-lock';
import { ensureSearchAttributes } from './embedded/search-attributes';
import { embeddedServicePassword } from './embedded/service-secret';
import { startRegistryServer } from './embedded/registry-server';
import { startTemporalDevServer } from './embedded/temporal-dev-server';

// `npm start`: the whole embedded stack in one process tree — Temporal dev server (child
// process), registry (embedded PostgreSQL), MQTT broker, worker and API — stopped in reverse order on Ctrl-C.
const config = loadConfig();
const logger = createLogger(config.logLevel, 'embedded');
const componentLogger = (name: string) => createLogger(config.logLevel, name);
const stops: (() => Promise<void> | void)[] = [];

async function startTemporal(): Promise<void> {
  if (!config.temporal.startDevServer) {
    const connection = await Connection.connect({ address: config.temporal.address });
    await ensureSearchAttributes(connection, config.temporal.namespace);
    await connection.close();
    return;
  }
  logger.info('starting the Temporal dev server');
  const server = await startTemporalDevServer({
    cliPath: config.temporal.cliPath,
    port: config.temporal.devServerPort,
    uiPort: config.temporal.uiPort,
    sqliteFile: config.temporal.sqliteFile,
    namespace: config.temporal.namespace,
  });
  stops.push(() => server.stop());
}

async function startStack(): Promise<{ server: Server; demoCredentials?: string }> {
  mkdirSync(config.dataDir, { recursive: true });
  if (!config.registry.databaseUrl) stops.push(claimDataDirectory(config.dataDir));
  const temporalMetrics = await loopbackMetricsEndpoint();
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    shutdownSignals: [],
    telemetryOptions: { metrics: { prometheus: { bindAddress: temporalMetrics.bindAddress } } },
  });
  await startTemporal();
  let databaseUrl = config.registry.databaseUrl;
  if (!databaseUrl) {
    const registry = await startRegistryServer({ ...config.registry.embedded, log: () => undefined });
    stops.push(() => registry.stop());
    databaseUrl = registry.url;
  }
  const database = await openDatabase({ databaseUrl });
  stops.push(() => database.close());
  await migrate(database);
  const seeded = config.seedDemoOnStart ? await seedDemo(database, { dataDir: config.dataDir }) : undefined;
  const mqttPassword = config.mqtt.servicePassword ?? embeddedServicePassword(config.dataDir);
  if (config.mqtt.startEmbeddedBroker) {
    const broker = await startEmbeddedBroker({
      port: config.mqtt.port,
      host: '127.0.0.1',
      database,
      serviceUsername: config.mqtt.serviceUsername,
      servicePassword: mqttPassword,
      logger: componentLogger('broker'),
    });
    stops.push(() => broker.close());
    const service = { username: config.mqtt.serviceUsername, password: mqttPassword };
    await republishRetainedConfigurations({ url: broker.url, ...service, database, logger: componentLogger('broker') });
  }
  const engine = await startEngine({ config, database, logger: componentLogger('worker'), mqttPassword });
  stops.push(() => engine.stop());
  void engine.run().catch((error: unknown) => {
    logger.fatal({ err: error }, 'worker stopped unexpectedly');
    void shutdown(1);
  });
  const connection = await Connection.connect({ address: config.temporal.address });
  stops.push(() => connection.close());
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const app = createApp(
    {
      config,
      database,
      temporal,
      logger: componentLogger('api'),
      credentialsChanged: mosquittoCredentialSync(database, config.mqtt.mosquittoAuthDirectory),
    },
    { temporalMetricsUrl: temporalMetrics.url },
  );
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(config.api.port, config.api.host, () => resolve(listening));
  });
  // Event streams stay open until their rollout ends: close them so Ctrl-C never waits on one.
  stops.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { server, ...(seeded ? { demoCredentials: seeded.credentialsPath } : {}) };
}

function banner(settings: Config, demoCredentials: string | undefined): string {
  const api = `http://${settings.api.host}:${settings.api.port}`;
  const lines = [
    '',
    'Fleet bulk actions is running.',
    `  API            ${api}   (OpenAPI: ${api}/openapi.json, docs: ${api}/docs)`,
    `  Temporal UI    ${settings.temporal.uiUrl}`,
    `  Temporal       ${settings.temporal.address}   MQTT ${settings.mqtt.url}`,
  ];
  if (demoCredentials) {
    lines.push(
      `  Demo logins    ${demoCredentials}`,
      '  Get a token    curl -s -X POST ' +
        `${api}/api/v1/platform/user/authenticate -H 'Content-Type: application/json' \\`,
      `                   -d "$(jq '{email: .users[0].email, password: .users[0].password}' ${demoCredentials})"`,
    );
  }
  lines.push('Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

let stopping = false;
async function shutdown(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('stopping the embedded stack');
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (error) {
      logger.warn({ err: error }, 'a component did not stop cleanly');
    }
  }
  process.exit(exitCode);
}

process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

try {
  const { demoCredentials } = await startStack();
  console.log(banner(config, demoCredentials));
} catch (error) {
  logger.fatal({ err: error }, 'the embedded stack could not start');
  await shutdown(1);
}
