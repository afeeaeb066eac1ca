import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { childExited, stopChildProcess } from './child-process';

// One service of the embedded stack (registry, broker, worker, API) as its own Node process
// through its production entry point, configured by environment variables only. It runs in a
// process group of its own (a terminal's Ctrl-C reaches the supervisor alone, which then stops
// the services in order) and says when it serves through the IPC channel, which is also how it
// notices the supervisor dying (config/supervised-process.ts).

export interface ServiceChildOptions {
  name: string;
  // Path from the project root, e.g. 'api/main.ts'.
  entry: string;
  environment: NodeJS.ProcessEnv;
  // 'inherit': the supervisor's terminal; otherwise a log file (benches).
  output: { logFile: string } | 'inherit';
  startupTimeoutMilliseconds?: number;
  // Node's own flags for this service, before the entry.
  nodeFlags?: string[];
}

export interface ServiceChild {
  name: string;
  pid: number;
  process: ChildProcess;
  // What the service announces once it serves (the registry's URL, the broker's); rejects if it
  // exits or stays silent past the start-up deadline (and then it is killed).
  ready: Promise<Record<string, unknown>>;
  stop(graceMilliseconds: number): Promise<void>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

function outputStreams(output: ServiceChildOptions['output']): {
  stdio: ('ignore' | 'inherit' | number)[];
  fd?: number;
} {
  if (output === 'inherit') return { stdio: ['ignore', 'inherit', 'inherit'] };
  const fd = openSync(output.logFile, 'a');
  return { stdio: ['ignore', fd, fd], fd };
}

function announcement(child: ChildProcess, options: ServiceChildOptions): Promise<Record<string, unknown>> {
  const timeout = options.startupTimeoutMilliseconds ?? 120_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${options.name} (${options.entry}) not ready in ${timeout} ms`)),
      timeout,
    );
    const onMessage = (message: unknown) => {
      if (typeof message !== 'object' || message === null || !('ready' in message)) return;
      detach();
      resolve(message);
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(new Error(`${options.name} (${options.entry}) exited during start (${code ?? signal})`));
    const detach = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const fail = (error: Error) => {
      detach();
      reject(error);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

// Spawned at once, so a stop that comes while the service is still starting can reach it.
export function spawnServiceChild(options: ServiceChildOptions): ServiceChild {
  const { stdio, fd } = outputStreams(options.output);
  const child = fork(fileURLToPath(new URL(options.entry, `file://${root}`)), [], {
    cwd: root,
    env: options.environment,
    execArgv: ['--import', 'tsx', ...(options.nodeFlags ?? [])],
    stdio: [...stdio, 'ipc'],
    detached: true,
  });
  if (fd !== undefined) closeSync(fd);
  const ready = announcement(child, options).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    name: options.name,
    pid: child.pid!,
    process: child,
    ready,
    stop: async (graceMilliseconds) => {
      await stopChildProcess(child, graceMilliseconds);
      await childExited(child);
    },
  };
}
