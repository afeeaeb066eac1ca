import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// PGlite's data directory may be opened by one process only: the embedded stack claims data/
// with its pid, and command-line tools refuse to open the registry while it lives.
const lockFile = (dataDir: string) => path.join(dataDir, 'embedded.pid');

// The pid of a live embedded stack holding dataDir, if any (EPERM: alive, owned by someone else).
export function embeddedStackPid(dataDir: string): number | undefined {
  if (!existsSync(lockFile(dataDir))) return undefined;
  const pid = Number(readFileSync(lockFile(dataDir), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

export function claimDataDirectory(dataDir: string): () => void {
  const running = embeddedStackPid(dataDir);
  if (running !== undefined) throw new Error(`The embedded stack is already running (pid ${running}) on ${dataDir}.`);
  writeFileSync(lockFile(dataDir), `${process.pid}\n`);
  return () => rmSync(lockFile(dataDir), { force: true });
}
