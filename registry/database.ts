import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

// One PostgreSQL dialect behind two engines: PGlite in-process (embedded default) and a real
// PostgreSQL server through a connection pool. Repositories see only this interface.
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface Database extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  exec(sql: string): Promise<void>;
  transaction<T>(work: (transaction: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  pgliteDir?: string | undefined;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPglite(options.pgliteDir);
}

async function openPglite(directory: string | undefined): Promise<Database> {
  if (directory) mkdirSync(directory, { recursive: true });
  const database = await PGlite.create(directory ?? 'memory://');
  const asQueryable = (target: Pick<PGlite, 'query'>): Queryable => ({
    query: async <Row>(sql: string, params?: readonly unknown[]) =>
      (await target.query<Row>(sql, params ? [...params] : undefined)).rows,
  });
  return {
    engine: 'pglite',
    ...asQueryable(database),
    exec: async (sql) => {
      await database.exec(sql);
    },
    transaction: (work) => database.transaction((transaction) => work(asQueryable(transaction))),
    close: () => database.close(),
  };
}

async function openPostgres(connectionString: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle connection the server ends (a restart, a failover, an administrator) is an 'error'
  // event on the pool, which drops that client and opens another for the next query; unhandled,
  // the event crashed the process (seen as a test database was dropped while a pool was ending).
  pool.on('error', () => undefined);
  await pool.query('select 1');
  const query = async <Row>(sql: string, params?: readonly unknown[]) =>
    (await pool.query(sql, params ? [...params] : undefined)).rows as Row[];
  return {
    engine: 'postgres',
    query,
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work({
          query: async <Row>(sql: string, params?: readonly unknown[]) =>
            (await client.query(sql, params ? [...params] : undefined)).rows as Row[],
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
