import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { openDatabase } from '../registry/database';
import { migrate } from '../registry/migrate';
import { startEngine } from './engine-runtime';

// A standalone worker process (production topology); the embedded stack runs one in-process.
const config = loadConfig();
const logger = createLogger(config.logLevel, 'worker');
const database = await openDatabase(config.registry);
await migrate(database);
const engine = await startEngine({ config, database, logger, mqttPassword: config.mqtt.servicePassword });
logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker running');
await engine.run();
await engine.stop();
await database.close();
