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

async function startEmbedded(directory: string, rolloutWorkNiceness: number | undefined): Promise<StatusStack> {
  const environment: Record<string, string> = { TEMPORAL_TASK_QUEUE: 'status-latency' };
  if (rolloutWorkNiceness !== undefined) environment.ROLLOUT_WORK_NICENESS = String(rolloutWorkNiceness);
  const topology = await startEmbeddedTopology(directory, { environment });
  return {
    baseUrl: topology.stack.apiUrl,
    database: topology.database,
    deviceUrl: topology.deviceUrl,
    workerLogFile: path.join(directory, 'worker.log'),
    stop: () => topology.stop(),
  };
}

// rolloutWorkNiceness: the embedded topology's ROLLOUT_WORK_NICENESS (its default when undefined).
export function startStatusStack(
  topology: StatusTopology,
  directory: string,
  rolloutWorkNiceness?: number,
): Promise<StatusStack> {
  if (topology === 'embedded') return startEmbedded(directory, rolloutWorkNiceness);
  const databaseUrl = loadConfig().registry.databaseUrl;
  if (!databaseUrl)
    throw new Error(
      '--topology split needs a PostgreSQL server: DATABASE_URL (e.g. from `DATA_DIR=$(mktemp -d) REGISTRY_PORT=0 ' +
        'node --import tsx scripts/embedded/registry-process.ts`)',
    );
  return startSplitProcesses(databaseUrl, directory);
}
