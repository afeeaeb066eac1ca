import { Connection } from '@temporalio/client';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { openDatabase } from '../registry/database';
import { migrate } from '../registry/migrate';
import { ensureSearchAttributes } from '../scripts/embedded/search-attributes';
import { startEngine } from './engine-runtime';

// A standalone worker process (production topology); the embedded stack runs one in-process.
const config = loadConfig();
const logger = createLogger(config.logLevel, 'worker');
const database = await openDatabase(config.registry);
await migrate(database);
// An external cluster (docker-compose's auto-setup) starts without the project's search
// attributes, and workflows fail their tasks without them; a no-op where they exist.
const operator = await Connection.connect({ address: config.temporal.address });
await ensureSearchAttributes(operator, config.temporal.namespace);
await operator.close();
const engine = await startEngine({ config, database, logger, mqttPassword: config.mqtt.servicePassword });
logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker running');
await engine.run();
await engine.stop();
await database.close();
