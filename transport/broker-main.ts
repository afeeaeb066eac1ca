import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { announceReady, stopWithSupervisor } from '../config/supervised-process';
import { openDatabase } from '../registry/database';
import { startEmbeddedBroker } from './broker';
import { republishRetainedConfigurations } from './retained-configuration';

// The embedded MQTT broker (aedes) as a process of its own, where docker-compose runs Mosquitto:
// `npm start` runs it beside the worker and API (`npm run start:broker`). It listens on
// 127.0.0.1:MQTT_PORT, lets devices in with their registry credentials and the service with
// MQTT_SERVICE_USERNAME / MQTT_SERVICE_PASSWORD, and republishes every device's retained
// configuration from the registry once it listens (aedes keeps no state across restarts).
const config = loadConfig();
const logger = createLogger(config.logLevel, 'broker');
stopWithSupervisor();

const servicePassword = config.mqtt.servicePassword;
if (!servicePassword) throw new Error('Invalid configuration: the broker needs MQTT_SERVICE_PASSWORD');
const database = await openDatabase({ ...config.registry, applicationName: 'fleet-actions-broker' });
const broker = await startEmbeddedBroker({
  port: config.mqtt.port,
  host: '127.0.0.1',
  database,
  serviceUsername: config.mqtt.serviceUsername,
  servicePassword,
  logger,
});
const service = { username: config.mqtt.serviceUsername, password: servicePassword };
await republishRetainedConfigurations({ url: broker.url, ...service, database, logger });

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await broker.close();
  await database.close();
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop());
announceReady({ url: broker.url });
