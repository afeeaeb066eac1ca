import pg from 'pg';
import { embeddedRegistryUrl, type EmbeddedRegistryAddress } from './embedded-registry-address';

// The registry is PostgreSQL through one connection pool: the embedded server of `npm start` or
// any server named by DATABASE_URL. Repositories see only this interface.
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface Database extends Queryable {
  exec(sql: string): Promise<void>;
  transaction<T>(work: (transaction: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  // Where the embedded server listens, for when no DATABASE_URL is given.
  embedded?: EmbeddedRegistryAddress | undefined;
  // Who the sessions are in pg_stat_activity.
  applicationName?: string;
  // A service answering requests opens every connection at start and keeps them: a connection
  // opened on demand costs a backend's start and a SCRAM exchange, 60-130 ms on a busy machine,
  // paid by the request that needed it (HikariCP's advice too: a fixed-size pool).
  keepConnectionsOpen?: boolean;
}

const poolSize = 10;

async function openEveryConnection(pool: pg.Pool): Promise<void> {
  const clients = await Promise.all(Array.from({ length: poolSize }, () => pool.connect()));
  for (const client of clients) client.release();
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const connectionString = options.databaseUrl ?? (options.embedded && embeddedRegistryUrl(options.embedded));
  if (!connectionString) throw new Error('No registry: set DATABASE_URL');
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    min: options.keepConnectionsOpen ? poolSize : 0,
    ...(options.applicationName ? { application_name: options.applicationName } : {}),
  });
  // An idle connection the server ends (a restart, a failover, an administrator) is an 'error'
  // event on the pool, which drops that client and opens another for the next query; unhandled,
  // the event crashed the process (seen as a test database was dropped while a pool was ending).
  pool.on('error', () => undefined);
  await pool.query('select 1');
  if (options.keepConnectionsOpen) await openEveryConnection(pool);
  const query = async <Row>(sql: string, params?: readonly unknown[]) =>
    (await pool.query(sql, params ? [...params] : undefined)).rows as Row[];
  return {
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
