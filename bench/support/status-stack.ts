import { loadConfig } from '../../config/config';
import { startEmbeddedHarness } from '../../harness/broker-harness';
import type { Database } from '../../registry/database';
import { startEngineUnderTest } from './engine-under-test';
import { serveOnLoopback } from './http-server';
import { startSplitProcesses } from './status-split-processes';

// Where the API runs relative to the engine: `split` as in production (`npm run start:api` and
// `npm run start:worker`, each its own process, the registry on PostgreSQL), `embedded` as
// `npm start` (API, worker, broker and registry in one process).
export type StatusTopology = 'split' | 'embedded';

export interface StatusStack {
  baseUrl: string;
  database: Database;
  deviceUrl: string;
  stop(): Promise<void>;
}

async function startEmbedded(directory: string): Promise<StatusStack> {
  const harness = await startEmbeddedHarness();
  const engine = await startEngineUnderTest(harness, directory);
  const server = await serveOnLoopback(engine.app);
  return {
    baseUrl: server.url,
    database: harness.database,
    deviceUrl: harness.deviceUrl,
    stop: async () => {
      await server.close();
      await engine.stop();
      await harness.close();
    },
  };
}

export function startStatusStack(topology: StatusTopology, directory: string): Promise<StatusStack> {
  if (topology === 'embedded') return startEmbedded(directory);
  const databaseUrl = loadConfig().registry.databaseUrl;
  if (!databaseUrl)
    throw new Error(
      '--topology split needs a PostgreSQL server: DATABASE_URL (e.g. from scripts/ci/start-postgres.sh)',
    );
  return startSplitProcesses(databaseUrl, directory);
}
