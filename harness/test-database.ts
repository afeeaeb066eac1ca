import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../config/config';
import { openDatabase, type Database } from '../registry/database';
import { migrate } from '../registry/migrate';

// A registry and its URL: benchmarks hand it to worker and API processes.
export interface TestDatabase extends Database {
  url: string;
}

const migrationsDirectory = fileURLToPath(new URL('../registry/migrations', import.meta.url));

// Named after the migrations it holds, so a server kept across code changes never hands out a
// template of older ones.
function templateName(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsDirectory).sort())
    hash.update(file).update(readFileSync(path.join(migrationsDirectory, file)));
  return `test_template_${hash.digest('hex').slice(0, 12)}`;
}

async function administer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// Migrating every test's database took ~0.2 s each; copying a migrated template takes a fraction.
// The template is built under a name of its own and renamed when complete, so a test in another
// process never copies a half-migrated one.
async function ensureTemplate(serverUrl: string, template: string): Promise<void> {
  const building = `${template}_building_${randomBytes(4).toString('hex')}`;
  await administer(serverUrl, `create database ${building}`);
  const database = await openDatabase({ databaseUrl: databaseUrl(serverUrl, building) });
  await migrate(database).finally(() => database.close());
  await administer(serverUrl, `alter database ${building} rename to ${template}`).catch(async (error: unknown) => {
    await administer(serverUrl, `drop database if exists ${building}`);
    if ((error as { code?: string }).code !== '42P04') throw error;
  });
}

// A fresh, migrated, throw-away database per call on the PostgreSQL server named by DATABASE_URL
// (scripts/run-tests.sh starts an embedded one for the run when it is unset) or by `serverUrl`
// (a bench's own stack), dropped on close.
export async function openTestDatabase(
  serverUrl: string | undefined = loadConfig().registry.databaseUrl,
): Promise<TestDatabase> {
  if (!serverUrl)
    throw new Error(
      'Tests need a PostgreSQL server: run them through `npm test` (scripts/run-tests.sh) or set DATABASE_URL',
    );
  const name = `test_${randomBytes(6).toString('hex')}`;
  const template = templateName();
  const copy = () => administer(serverUrl, `create database ${name} template ${template}`);
  await copy().catch(async (error: unknown) => {
    // 3D000: no such template yet.
    if ((error as { code?: string }).code !== '3D000') throw error;
    await ensureTemplate(serverUrl, template);
    await copy();
  });
  const url = databaseUrl(serverUrl, name);
  const database = await openDatabase({ databaseUrl: url });
  return {
    ...database,
    url,
    close: async () => {
      await database.close();
      await administer(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
