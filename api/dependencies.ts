import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import type { Database } from '../registry/database';

// What routers are built from: one registry, one Temporal client, one logger per process.
export interface ApiDependencies {
  config: Config;
  database: Database;
  temporal: Client;
  logger: Logger;
  // After device credentials change; the composition root wires Mosquitto's file sync here.
  credentialsChanged?: (() => Promise<void>) | undefined;
}
