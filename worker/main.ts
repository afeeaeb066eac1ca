import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import express from 'express';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { loopbackMetricsEndpoint } from '../config/metrics';
import { metricsContentType, metricsExposition } from '../config/metrics-exposition';
import { announceReady, stopWithSupervisor } from '../config/supervised-process';
import { openDatabase } from '../registry/database';
import { migrate } from '../registry/migrate';
import { ensureSearchAttributes } from '../config/temporal-search-attributes';
import { startEngine } from './engine-runtime';

// The worker process, in production and under `npm start` alike.
const config = loadConfig();
const logger = createLogger(config.logLevel, 'worker');
// A supervisor gone (npm start killed -9) raises SIGTERM here, which the Temporal runtime below
// turns into a worker shutdown.
stopWithSupervisor();

// The engine's series live in this process's registry and the SDK's worker metrics in its Core
// runtime's own exporter (kept on a private loopback port): one endpoint serves both.
const temporalMetrics = await loopbackMetricsEndpoint();
Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: temporalMetrics.bindAddress } } } });

function serveMetrics(): Promise<Server | undefined> {
  const app = express()
    .disable('x-powered-by')
    .get('/metrics', async (_request, response) => {
      response.type(metricsContentType).send(await metricsExposition(logger, temporalMetrics.url));
    });
  const { host, port } = config.workerMetrics;
  return new Promise((resolve) => {
    const server = app.listen(port, host);
    server.once('listening', () => {
      const bound = (server.address() as AddressInfo).port;
      logger.info({ url: `http://${host}:${bound}/metrics` }, 'worker metrics served');
      resolve(server);
    });
    // A taken port costs the metrics, not the worker: devices keep being served.
    server.once('error', (error) => {
      logger.error({ err: error, host, port }, 'worker metrics not served (set WORKER_METRICS_PORT)');
      resolve(undefined);
    });
  });
}

const metricsServer = await serveMetrics();
const database = await openDatabase({ ...config.registry, applicationName: 'fleet-actions-worker' });
await migrate(database);
// An external cluster (docker-compose's auto-setup) starts without the project's search
// attributes, and workflows fail their tasks without them; a no-op where they exist.
const operator = await Connection.connect({ address: config.temporal.address });
await ensureSearchAttributes(operator, config.temporal.namespace);
await operator.close();
const engine = await startEngine({ config, database, logger, mqttPassword: config.mqtt.servicePassword });
logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker running');
announceReady();
await engine.run();
await engine.stop();
await database.close();
metricsServer?.close();
