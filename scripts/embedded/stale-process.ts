import { execFileSync } from 'node:child_process';

// A process an earlier `npm start` left behind (its supervisor was killed -9, or the machine's
// pids were reused since): recognised by its command line, never by its pid alone, so a
// foreign process that took the pid is left alone.

export function commandLineOf(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    // ps exits 1 when no such process exists.
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exited(pid: number, withinMilliseconds: number): Promise<boolean> {
  const deadline = Date.now() + withinMilliseconds;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

export interface StaleStopOptions {
  signal?: NodeJS.Signals;
  graceMilliseconds?: number;
}

// Stops `pid` if it is alive and its command line is ours (`isOurs`): the given signal, then
// SIGKILL after the grace time. True when such a process was found.
export async function stopStaleProcess(
  pid: number,
  isOurs: (commandLine: string) => boolean,
  options: StaleStopOptions = {},
): Promise<boolean> {
  const commandLine = commandLineOf(pid);
  if (commandLine === undefined || !isOurs(commandLine)) return false;
  process.kill(pid, options.signal ?? 'SIGTERM');
  if (!(await exited(pid, options.graceMilliseconds ?? 10_000))) {
    process.kill(pid, 'SIGKILL');
    await exited(pid, 5_000);
  }
  return true;
}
