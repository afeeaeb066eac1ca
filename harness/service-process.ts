import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { childExited, stopChildProcess } from '../scripts/embedded/child-process';

// A project entry point (worker/main.ts, api/main.ts) in its own Node process through tsx, as
// `npm run start:worker` runs it, so a fault run can kill it with SIGKILL like a crash would.

export interface ServiceProcessOptions {
  // Path from the project root, e.g. 'worker/main.ts'.
  entry: string;
  environment: Record<string, string>;
  // The log message (pino `msg`) that says the service is serving.
  readyMessage: string;
  // Everything the process writes, kept for a look after a failed run.
  logFile: string;
  startupTimeoutMilliseconds?: number;
}

export interface ServiceProcess {
  readonly pid: number;
  readonly process: ChildProcess;
  // Milliseconds from spawn to the ready message.
  readonly startupMilliseconds: number;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

function waitForReady(child: ChildProcess, options: ServiceProcessOptions, recent: () => string): Promise<void> {
  const timeout = options.startupTimeoutMilliseconds ?? 120_000;
  return new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(
      () => fail(new Error(`${options.entry} not ready in ${timeout} ms: ${recent()}`)),
      timeout,
    );
    const onExit = (code: number | null) => fail(new Error(`${options.entry} exited (${code}): ${recent()}`));
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (lines.some((line) => line.includes(`"msg":"${options.readyMessage}"`))) finish();
    };
    const detach = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    const finish = () => {
      detach();
      resolve();
    };
    const fail = (error: Error) => {
      detach();
      reject(error);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const began = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', options.entry], {
    cwd: projectRoot,
    env: { ...process.env, ...options.environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    log.write(chunk);
  };
  child.once('exit', () => log.end());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  try {
    await waitForReady(child, options, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const startupMilliseconds = Date.now() - began;
  return {
    pid: child.pid!,
    process: child,
    startupMilliseconds,
    kill: async () => {
      child.kill('SIGKILL');
      await childExited(child);
    },
    stop: () => stopChildProcess(child, 15_000),
  };
}
