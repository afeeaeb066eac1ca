import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database';

const migrationsDirectory = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

// Applies every migration not yet recorded, each in its own transaction, in file-name order.
// An advisory lock keeps two processes starting together (api + worker) from racing.
export async function migrate(database: Database): Promise<string[]> {
  await database.exec(
    'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
  );
  const files = (await readdir(migrationsDirectory)).filter((name) => name.endsWith('.sql')).sort();
  const applied: string[] = [];
  await database.transaction(async (transaction) => {
    await transaction.query('select pg_advisory_xact_lock(424242)');
    const done = new Set(
      (await transaction.query<{ name: string }>('select name from schema_migrations')).map((row) => row.name),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path.join(migrationsDirectory, file), 'utf8');
      for (const statement of splitStatements(sql)) await transaction.query(statement);
      await transaction.query('insert into schema_migrations (name) values ($1)', [file]);
      applied.push(file);
    }
  });
  return applied;
}

// Statements end with a semicolon at the end of a line, outside dollar-quoted bodies (a trigger
// function's body holds semicolons of its own); comment lines are dropped.
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let insideDollarQuote = false;
  for (const line of sql.split('\n')) {
    if (/^\s*--/.test(line)) continue;
    current += `${line}\n`;
    if ((line.match(/\$\$/g) ?? []).length % 2 === 1) insideDollarQuote = !insideDollarQuote;
    if (!insideDollarQuote && /;\s*$/.test(line)) {
      statements.push(current.trim().replace(/;$/, ''));
      current = '';
    }
  }
  statements.push(current.trim());
  return statements.filter((statement) => statement.length > 0);
}
