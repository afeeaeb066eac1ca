import type { ChildProcess } from 'node:child_process';

export function childExited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

// SIGTERM for a clean shutdown; SIGKILL if the process has not exited within the grace time.
export async function stopChildProcess(child: ChildProcess, graceMilliseconds: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const force = setTimeout(() => child.kill('SIGKILL'), graceMilliseconds);
  child.kill('SIGTERM');
  await childExited(child);
  clearTimeout(force);
}
