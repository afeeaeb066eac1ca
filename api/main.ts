import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { announceReady, stopWithSupervisor } from '../config/supervised-process';
import { openDatabase } from '../registry/database';
import { migrate } from '../registry/migrate';
import { ensureSearchAttributes } from '../config/temporal-search-attributes';
import { mosquittoCredentialSync } from '../registry/mosquitto-credential-files';
import { createApp } from './app';

// The standalone API process for production: one registry pool and one Temporal client.
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'api');
  stopWithSupervisor();
  const database = await openDatabase({
    ...config.registry,
    applicationName: 'fleet-actions-api',
    keepConnectionsOpen: true,
  });
  await migrate(database);
  const connection = await Connection.connect({ address: config.temporal.address });
  // Starting a bulk action sets the project's search attributes; on a fresh cluster the API may
  // come up before any worker has registered them. A no-op where they exist.
  await ensureSearchAttributes(connection, config.temporal.namespace);
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const credentialsChanged = mosquittoCredentialSync(database, config.mqtt.mosquittoAuthDirectory);
  const app = createApp({ config, database, temporal, logger, credentialsChanged });
  const server = app.listen(config.api.port, config.api.host, () => {
    logger.info({ url: `http://${config.api.host}:${config.api.port}` }, 'API listening');
    announceReady();
  });
  const shutdown = () => {
    logger.info('shutting down');
    // Event streams stay open until their rollout ends: close them, clients reconnect elsewhere.
    server.closeAllConnections();
    server.close(() => {
      void connection
        .close()
        .then(() => database.close())
        .finally(() => process.exit(0));
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
