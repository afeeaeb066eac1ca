import type { Config } from '../config/config';
import { openDatabase, type Database } from '../registry/database';
import { migrate } from '../registry/migrate';
import { embeddedStackPid } from './embedded/pid-lock';

// Opens and migrates the configured registry for a command-line tool.
export async function openRegistryForCli(config: Config): Promise<Database> {
  if (!config.registry.databaseUrl) {
    const pid = embeddedStackPid(config.dataDir);
    if (pid !== undefined) {
      throw new Error(
        `The embedded stack (pid ${pid}) has the embedded registry open, and it can be opened by one process only. ` +
          'Stop it first (Ctrl-C in its terminal), or point DATABASE_URL at a PostgreSQL server.',
      );
    }
  }
  const database = await openDatabase({
    databaseUrl: config.registry.databaseUrl,
    pgliteDir: config.registry.pgliteDir,
  });
  await migrate(database);
  return database;
}
