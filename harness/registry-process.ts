import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { childEnvironment } from '../config/config';
import { spawnServiceChild } from '../scripts/embedded/service-child';

// A throw-away embedded PostgreSQL for a run of benchmarks (as scripts/run-tests.sh starts one for
// the tests): the registry process of `npm start` in a temporary directory, on a free port,
// fsync off. Its URL is what DATABASE_URL would be.
export interface RegistryProcess {
  url: string;
  stop(): Promise<void>;
}

export async function startRegistryProcess(): Promise<RegistryProcess> {
  const directory = mkdtempSync(path.join(tmpdir(), 'fleet-registry-'));
  // As root the server runs as the postgres user, who must enter the directory.
  chmodSync(directory, 0o755);
  const child = spawnServiceChild({
    name: 'registry',
    entry: 'scripts/embedded/registry-process.ts',
    environment: childEnvironment({
      DATA_DIR: directory,
      REGISTRY_PORT: '0',
      REGISTRY_FSYNC: 'off',
      LOG_LEVEL: 'warn',
    }),
    output: { logFile: path.join(directory, 'registry.log') },
  });
  const stop = async () => {
    await child.stop(20_000);
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    return { url: String((await child.ready).url), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
