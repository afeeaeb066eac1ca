import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// PGlite's data directory may be opened by one process only: the embedded stack claims data/
// with its pid, and command-line tools refuse to open the registry while it lives.
export function claimDataDirectory(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'embedded.pid');
  if (existsSync(lockPath)) {
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new Error(`The embedded stack is already running (pid ${pid}) on ${dataDir}.`);
    }
  }
  writeFileSync(lockPath, `${process.pid}\n`);
  return () => rmSync(lockPath, { force: true });
}
