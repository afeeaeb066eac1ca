import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import { childEnvironment } from '../../config/config';

// `npm start`'s supervisor (scripts/start-embedded.ts) as a user's terminal runs it: a process
// group of its own (the terminal's session), its output kept, its banner awaited.

export interface NpmStartRun {
  process: ChildProcess;
  output(): string;
  // The processes the banner lists, by name (api, worker, broker, registry, temporal).
  ready(timeoutMilliseconds: number): Promise<Record<string, number>>;
  exited(timeoutMilliseconds: number): Promise<number | null>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

export function runNpmStart(environment: Record<string, string>): NpmStartRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-embedded.ts'], {
    cwd: root,
    env: childEnvironment(environment),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    output: () => output,
    ready: async (timeout) => {
      const deadline = Date.now() + timeout;
      for (;;) {
        const listed = /Processes\s+(.+)\n/.exec(output);
        if (listed) return Object.fromEntries(listed[1]!.split(', ').map((entry) => entryOf(entry)));
        if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${output}`);
        if (Date.now() > deadline) throw new Error(`npm start not ready within ${timeout} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    exited: (timeout) =>
      Promise.race([
        exit,
        new Promise<null>((_, reject) =>
          setTimeout(
            () => reject(new Error(`npm start did not exit within ${timeout} ms:\n${output}`)),
            timeout,
          ).unref(),
        ),
      ]),
  };
}

function entryOf(entry: string): [string, number] {
  const [name, pid] = entry.trim().split(' ');
  return [name!, Number(pid)];
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// Polls until none of the pids lives (true) or the time is up (false).
export async function allGone(pids: number[], timeoutMilliseconds: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (pids.some(alive)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}
