import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeDefinitions } from '../../contracts/search-attributes';
import { stopChildProcess } from './child-process';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  uiPort?: number | undefined;
  sqliteFile?: string | undefined;
  namespace: string;
  startupTimeoutMilliseconds?: number;
  // In a process group of its own, so a terminal's Ctrl-C reaches only `npm start`'s supervisor,
  // which stops the workers before the server they talk to.
  detached?: boolean;
  // Called with the process as soon as it is spawned, before it answers.
  onSpawn?: (child: ChildProcess) => void;
  // Dynamic configuration over `priorityAndFairness` (a bench comparing matchers, a test's own).
  dynamicConfig?: Record<string, string>;
}

// Rollouts carry a priority key (the request's 1-5) and the company as fairness key
// (api/services/start-bulk-action.service.ts). The dev server's matcher orders backlogged tasks by
// them only with these set at start: the priority matcher, fairness between keys within a
// priority, and one partition per task queue, so the order holds across the whole queue rather
// than within each of four partitions that a task and a poll land on at random.
export const priorityAndFairness: Readonly<Record<string, string>> = {
  'matching.useNewMatcher': 'true',
  'matching.enableFairness': 'true',
  'matching.numTaskqueueReadPartitions': '1',
  'matching.numTaskqueueWritePartitions': '1',
};

export function dynamicConfigArguments(values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]);
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

// The Temporal CLI dev server as a child process: SQLite file under data/ (WAL, relaxed fsync,
// since the embedded stack trades some crash durability of the OS for throughput), the project's
// search attributes registered, UI on its own port unless headless.
async function startOnce(options: DevServerOptions): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
  ];
  args.push('--log-level', 'warn', '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.sqliteFile) {
    mkdirSync(path.dirname(options.sqliteFile), { recursive: true });
    args.push('--db-filename', options.sqliteFile);
  }
  for (const definition of searchAttributeDefinitions) args.push('--search-attribute', definition);
  args.push(...dynamicConfigArguments({ ...priorityAndFairness, ...options.dynamicConfig }));
  const child = spawn(options.cliPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: options.detached ?? false,
  });
  options.onSpawn?.(child);
  // A panic's first lines say why; its last lines say where.
  let head = '';
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (head.length < 1500) head = (head + chunk.toString()).slice(0, 1500);
    tail = (tail + chunk.toString()).slice(-2500);
  });
  const stderr = () => (head.length < 1500 ? head : `${head}\n...\n${tail}`);
  const address = `127.0.0.1:${options.port}`;
  await waitUntilReachable(address, child, options.startupTimeoutMilliseconds ?? 60_000, stderr);
  return { address, process: child, stop: () => stopChildProcess(child, 10_000) };
}

// The dev server picks free ports for its internal services at start; one taken meanwhile by
// another process makes it panic before it answers. Those ports are picked again on a retry.
export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof ExitedEarly)) throw error;
    }
  }
}

class ExitedEarly extends Error {}

async function waitUntilReachable(address: string, child: ChildProcess, timeout: number, stderr: () => string) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new ExitedEarly(`Temporal dev server exited (${child.exitCode}): ${stderr()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`Temporal dev server did not answer on ${address} within ${timeout} ms: ${stderr()}`);
}
