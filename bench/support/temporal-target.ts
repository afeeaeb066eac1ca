import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '../../config/config';
import { freePort } from '../../harness/free-port';
import { startTemporalDevServer } from '../../scripts/embedded/temporal-dev-server';

// Where a bench's Temporal runs: the dev server (default; SQLite file, one shard) or, with
// BENCH_TARGET=cluster (`npm run bench:cluster`), a fresh `npm run cluster` on free ports whose
// PostgreSQL also holds the bench's registry (DATABASE_URL is set for this process).
export interface TemporalTarget {
  kind: 'dev server' | 'cluster';
  address: string;
  namespace: string;
  // The Temporal server's process, for its resident memory.
  serverPid: number;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

export function benchTargetKind(): TemporalTarget['kind'] {
  return process.env.BENCH_TARGET === 'cluster' ? 'cluster' : 'dev server';
}

export async function startTemporalTarget(directory: string): Promise<TemporalTarget> {
  return benchTargetKind() === 'cluster' ? startCluster() : startDevServer(directory);
}

async function startDevServer(directory: string): Promise<TemporalTarget> {
  const config = loadConfig();
  const port = await freePort();
  const devServer = await startTemporalDevServer({
    cliPath: config.temporal.cliPath,
    port,
    namespace: config.temporal.namespace,
    sqliteFile: path.join(directory, 'temporal.sqlite'),
  });
  return {
    kind: 'dev server',
    address: `127.0.0.1:${port}`,
    namespace: config.temporal.namespace,
    serverPid: devServer.process.pid ?? 0,
    stop: () => devServer.stop(),
  };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// The cluster script's Temporal takes the frontend port + 0..13, - 300..294 and + 767. Its
// membership ports (- 300..294) must fit Temporal's smallint column, so the frontend port stays
// at or below 33061: above, the server exits at start.
async function freeTemporalPortBlock(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 21_000 + Math.floor(Math.random() * 12_000);
    const ports = [
      ...Array.from({ length: 14 }, (_, offset) => base + offset),
      ...Array.from({ length: 7 }, (_, offset) => base - 300 + offset),
      base + 767,
    ];
    const free = await Promise.all(ports.map(portIsFree));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port block for the Temporal cluster');
}

async function startCluster(): Promise<TemporalTarget> {
  const directory = mkdtempSync(path.join(tmpdir(), 'fleet-bench-cluster-'));
  // PostgreSQL runs as its own user and must reach its data directory inside this one.
  chmodSync(directory, 0o755);
  const temporalPort = await freeTemporalPortBlock();
  const mqttPort = await freePort();
  const script = spawn(
    'bash',
    [
      path.join(root, 'scripts/cluster/start-cluster.sh'),
      ...['--dir', directory, '--temporal-port', String(temporalPort)],
      ...['--ui-port', String(await freePort()), '--postgres-port', String(await freePort())],
      ...['--mqtt-port', String(mqttPort)],
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  script.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const stop = async () => {
    await stopScript(script);
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    await waitForClusterEnvironment(directory, script, () => log);
    const environment = parseEnvironment(readFileSync(path.join(directory, 'cluster.env'), 'utf8'));
    process.env.DATABASE_URL = await createBenchRole(directory);
    return {
      kind: 'cluster',
      address: environment.TEMPORAL_ADDRESS ?? `127.0.0.1:${temporalPort}`,
      namespace: environment.TEMPORAL_NAMESPACE ?? 'default',
      serverPid: temporalServerPid(script.pid ?? 0),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForClusterEnvironment(directory: string, script: ChildProcess, log: () => string) {
  const deadline = Date.now() + 240_000;
  // The script writes cluster.env once every component is up.
  while (!existsSync(path.join(directory, 'cluster.env'))) {
    if (script.exitCode !== null || Date.now() > deadline) throw new Error(`the cluster did not start:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function parseEnvironment(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

// The registry role of cluster.env may not create databases; the bench's throw-away registries
// (harness/test-database.ts) need a role that may, made through the private socket.
async function createBenchRole(directory: string): Promise<string> {
  const password = randomBytes(18).toString('hex');
  const socket = path.join(directory, 'postgres-socket');
  const port = readdirSync(socket)
    .find((name) => name.startsWith('.s.PGSQL.') && !name.endsWith('.lock'))
    ?.slice('.s.PGSQL.'.length);
  if (!port) throw new Error('no PostgreSQL socket in the cluster directory');
  await run('psql', [
    ...['-v', 'ON_ERROR_STOP=1', '-q', '-h', socket, '-p', port, '-U', 'postgres', '-d', 'postgres'],
    ...['-c', `create role bench login createdb password '${password}'`],
  ]);
  return `postgres://bench:${password}@127.0.0.1:${port}/postgres`;
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

// The script starts the server in a subshell that execs it: a descendant running temporal-server.
function temporalServerPid(scriptPid: number): number {
  const pending = [scriptPid];
  while (pending.length > 0) {
    const pid = pending.shift()!;
    if (pid !== scriptPid && commandLineOf(pid).includes('bin/temporal-server')) return pid;
    pending.push(...childrenOf(pid));
  }
  return 0;
}

function stopScript(script: ChildProcess): Promise<void> {
  if (script.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    script.once('exit', () => resolve());
    script.kill('SIGTERM');
  });
}
