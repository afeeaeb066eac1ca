import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { openDatabase } from '../registry/database';
import { migrate } from '../registry/migrate';
import { createWorker } from './create-worker';

// A standalone worker process (production topology); the embedded stack runs one in-process.
const config = loadConfig();
const logger = createLogger(config.logLevel, 'worker');
const database = await openDatabase(config.registry);
await migrate(database);
const connection = await NativeConnection.connect({ address: config.temporal.address });
const worker = await createWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  dependencies: { database },
});
logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker running');
await worker.run();
await connection.close();
await database.close();
