import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../config/config';
import { openDatabase, type Database } from '../registry/database';
import { migrate } from '../registry/migrate';

// A registry and, on PostgreSQL, its URL: benchmarks hand it to worker and API processes.
export interface TestDatabase extends Database {
  url: string | undefined;
}

// A fresh, migrated registry per call: in-memory PGlite by default, or a throw-away database on
// the PostgreSQL server named by DATABASE_URL, so the same tests run on both engines.
export async function openTestDatabase(): Promise<TestDatabase> {
  const { databaseUrl } = loadConfig().registry;
  if (!databaseUrl) {
    const database = await openDatabase({});
    await migrate(database);
    return { ...database, url: undefined };
  }
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString() });
  await migrate(database);
  return {
    ...database,
    url: url.toString(),
    close: async () => {
      await database.close();
      const dropper = new pg.Client({ connectionString: databaseUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
