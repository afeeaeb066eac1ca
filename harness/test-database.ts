import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../config/config';
import { openDatabase, type Database } from '../registry/database';
import { migrate } from '../registry/migrate';

// A registry and its URL: benchmarks hand it to worker and API processes.
export interface TestDatabase extends Database {
  url: string;
}

// A fresh, migrated, throw-away database per call on the PostgreSQL server named by DATABASE_URL
// (scripts/run-tests.sh starts an embedded one for the run when it is unset) or by `serverUrl`
// (a bench's own stack), dropped on close.
export async function openTestDatabase(
  serverUrl: string | undefined = loadConfig().registry.databaseUrl,
): Promise<TestDatabase> {
  const databaseUrl = serverUrl;
  if (!databaseUrl)
    throw new Error(
      'Tests need a PostgreSQL server: run them through `npm test` (scripts/run-tests.sh) or set DATABASE_URL',
    );
  const name = `test_${randomBytes(6).toString('hex')}`;
  const administer = async (statement: string) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await administer(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString() });
  await migrate(database);
  return {
    ...database,
    url: url.toString(),
    close: async () => {
      await database.close();
      await administer(`drop database if exists ${name} with (force)`);
    },
  };
}
