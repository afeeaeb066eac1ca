import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import { openDatabase, type Database } from '../registry/database';
import { migrate } from '../registry/migrate';

// The embedded registry (PGlite) can be opened by one process only; `npm start` writes its pid
// to data/embedded.pid. A second process opening the same directory would corrupt it.
function embeddedStackPid(config: Config): number | undefined {
  const lockPath = path.join(config.dataDir, 'embedded.pid');
  if (!existsSync(lockPath)) return undefined;
  const pid = Number(readFileSync(lockPath, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

// Opens and migrates the configured registry for a command-line tool.
export async function openRegistryForCli(config: Config): Promise<Database> {
  if (!config.registry.databaseUrl) {
    const pid = embeddedStackPid(config);
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
