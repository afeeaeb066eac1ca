import type { Config } from '../config/config';
import { openDatabase, type Database } from '../registry/database';
import { migrate } from '../registry/migrate';

// Opens and migrates the configured registry for a command-line tool: DATABASE_URL's server, or
// the embedded PostgreSQL of `npm start` (which serves several clients, so the stack may run).
export async function openRegistryForCli(config: Config): Promise<Database> {
  const database = await openDatabase(config.registry).catch((error: unknown) => {
    if (config.registry.databaseUrl) throw error;
    throw new Error(
      `The embedded registry does not answer on port ${config.registry.embedded.port}: start it with \`npm start\` ` +
        `(or set DATABASE_URL). ${(error as Error).message}`,
      { cause: error },
    );
  });
  await migrate(database);
  return database;
}
