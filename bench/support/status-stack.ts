import path from 'node:path';
import { loadConfig } from '../../config/config';
import type { Database } from '../../registry/database';
import { startEmbeddedTopology } from './embedded-topology';
import { startSplitProcesses } from './status-split-processes';

// Where the API runs relative to the engine: `embedded` as `npm start` runs it (registry,
// broker, worker and API each its own process; scripts/embedded/stack.ts), `split` as the
// production topology with the registry on DATABASE_URL's server and the broker in the bench.
export type StatusTopology = 'split' | 'embedded';

export interface StatusStack {
  baseUrl: string;
  database: Database;
  deviceUrl: string;
  // The worker's log, where the topology keeps one (embedded): read for "task not found" warnings.
  workerLogFile?: string;
  stop(): Promise<void>;
}

async function startEmbedded(directory: string): Promise<StatusStack> {
  const topology = await startEmbeddedTopology(directory, { environment: { TEMPORAL_TASK_QUEUE: 'status-latency' } });
  return {
    baseUrl: topology.stack.apiUrl,
    database: topology.database,
    deviceUrl: topology.deviceUrl,
    workerLogFile: path.join(directory, 'worker.log'),
    stop: () => topology.stop(),
  };
}

export function startStatusStack(topology: StatusTopology, directory: string): Promise<StatusStack> {
  if (topology === 'embedded') return startEmbedded(directory);
  const databaseUrl = loadConfig().registry.databaseUrl;
  if (!databaseUrl)
    throw new Error(
      '--topology split needs a PostgreSQL server: DATABASE_URL (e.g. from `DATA_DIR=$(mktemp -d) REGISTRY_PORT=0 ' +
        'node --import tsx scripts/embedded/registry-process.ts`)',
    );
  return startSplitProcesses(databaseUrl, directory);
}
