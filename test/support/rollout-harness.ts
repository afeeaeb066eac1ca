import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openFleet, type Fleet } from '../../harness/rollout-fleet';
import { startTemporalTestServer, type ServerKind } from '../../harness/temporal-test-server';
import { openTestDatabase, type TestDatabase } from '../../harness/test-database';
import { sharedWorkflowBundle } from '../../harness/workflow-bundle';

export type { DeviceRow, Fleet, RolloutHandle } from '../../harness/rollout-fleet';

// One test registry and one Temporal server for the enclosing `describe`; each test takes a fleet
// of its own (a company, its devices, a worker on a task queue of its own), so tests never meet.
// Everything the engine runs is real — workflows, activities, the registry's SQL, the answer
// recorder and the rollout signals — except the devices: a FakeDeviceTransport the test scripts.
export function rolloutHarness(kind: ServerKind, options: { serverArgs?: string[] } = {}) {
  let environment: TestWorkflowEnvironment | undefined;
  let database: TestDatabase | undefined;
  let fleets = 0;
  before(async () => {
    database = await openTestDatabase();
    environment = await startTemporalTestServer(kind, options.serverArgs);
  });
  after(async () => {
    await environment?.teardown();
    await database?.close();
  });
  const started = () => {
    if (!environment || !database) throw new Error('the harness is not started yet (use it inside a test)');
    return { environment, database };
  };
  return {
    get environment() {
      return started().environment;
    },
    get database() {
      return started().database;
    },
    // `count` devices, online unless `offline` says otherwise, with a worker running for them.
    fleet: async (count: number, fleetOptions: { offline?: (index: number) => boolean } = {}) => {
      const { environment: server, database: registry } = started();
      return openFleet({
        environment: server,
        database: registry,
        workflowBundle: await sharedWorkflowBundle(),
        taskQueue: `fleet-${(fleets += 1)}`,
        count,
        ...fleetOptions,
      });
    },
  };
}

// Runs `work` with a fresh fleet and always stops its worker, whatever the test's outcome.
export async function withFleet<T>(
  harness: ReturnType<typeof rolloutHarness>,
  count: number,
  options: { offline?: (index: number) => boolean },
  work: (fleet: Fleet) => Promise<T>,
): Promise<T> {
  const fleet = await harness.fleet(count, options);
  try {
    return await work(fleet);
  } finally {
    await fleet.close();
  }
}
