import { sharedWorkflowBundle } from '../harness/workflow-bundle';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import proto from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { actionNames } from '../contracts/action-catalogue';
import type { BulkActionInput } from '../contracts/bulk-action.types';
import { openFleet, type Fleet, type RolloutHandle } from '../harness/rollout-fleet';
import { actionInput, rebootInput } from '../harness/rollout-inputs';
import { startTemporalTestServer } from '../harness/temporal-test-server';
import { openTestDatabase, type TestDatabase } from '../harness/test-database';
import { cancelUpdate, pauseUpdate, resumeUpdate } from '../workflows/definitions';

// npm run record-histories [-- --out DIR]: needs nothing running. Starts an in-memory registry and
// Temporal dev servers, runs one rollout per action of the catalogue (a new action gets its
// history by running this again) and a few scenarios over fake devices (the real engine
// otherwise), and writes each execution's history to test/histories/<name>.json, where the
// replay test checks that today's workflow code still replays them deterministically.
const { values } = parseArgs({ options: { out: { type: 'string', default: 'test/histories' } } });
mkdirSync(values.out, { recursive: true });

const deviceCount = 5;
const minute = 60_000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not end within a minute`)), minute);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function save(handle: RolloutHandle, runId: string | undefined, name: string): Promise<void> {
  const history = await handle.client.getHandle(handle.workflowId, runId).fetchHistory();
  const json = proto.temporal.api.history.v1.History.toObject(history as never, {
    longs: String,
    enums: String,
    bytes: String,
  });
  const file = path.join(values.out, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ workflowId: handle.workflowId, workflowType: 'rolloutWorkflow', history: json }, null, 1)}\n`,
  );
  console.log(`${file}: ${history.events?.length ?? 0} events`);
}

// Runs one rollout on a fresh fleet; `steer` may act on it while it runs. Devices answer at once.
async function record(
  server: {
    environment: TestWorkflowEnvironment;
    database: TestDatabase;
    bundle: WorkflowBundleWithSourceMap;
  },
  name: string,
  inputOf: (companyId: string) => BulkActionInput,
  steer: (handle: RolloutHandle, fleet: Fleet) => Promise<void> = () => Promise.resolve(),
): Promise<RolloutHandle> {
  const fleet = await openFleet({
    environment: server.environment,
    database: server.database,
    workflowBundle: server.bundle,
    taskQueue: `record-${name}`,
    count: deviceCount,
  });
  try {
    // The recording's devices take configurations too.
    await server.database.query(
      `update device_types set capabilities = jsonb_set(capabilities, '{actions,send_config}', 'true')
        where company_id = $1`,
      [fleet.companyId],
    );
    const handle = await fleet.start(inputOf(fleet.companyId));
    await steer(handle, fleet);
    await within(
      handle.result().catch(() => undefined),
      name,
    );
    await save(handle, undefined, name);
    return handle;
  } finally {
    await fleet.close();
  }
}

const waitForSends = async (fleet: Fleet, count: number) => {
  const deadline = Date.now() + minute;
  while (fleet.transport.published.length < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} devices were sent to`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const database = await openTestDatabase();
const bundle = await sharedWorkflowBundle();
const environment = await startTemporalTestServer('dev-server');
const server = { environment, database, bundle };
try {
  for (const action of actionNames) await record(server, action, (companyId) => actionInput(action, companyId));
  await record(server, 'issue_command-canary', (companyId) =>
    rebootInput(companyId, { canary: { count: 2, min_success_rate: 1, then: 'continue' } }),
  );
  await record(
    server,
    'issue_command-pause-resume',
    (companyId) => rebootInput(companyId, { max_in_flight: 1 }),
    async (handle, fleet) => {
      fleet.transport.script = () => ({ status: 'success', afterMilliseconds: 200 });
      await waitForSends(fleet, 1);
      await handle.executeUpdate(pauseUpdate);
      await handle.executeUpdate(resumeUpdate);
    },
  );
  await record(
    server,
    'issue_command-cancel',
    (companyId) => rebootInput(companyId, { max_in_flight: 1 }),
    async (handle, fleet) => {
      fleet.transport.script = () => ({ status: 'success', afterMilliseconds: 200 });
      await waitForSends(fleet, 1);
      await handle.executeUpdate(cancelUpdate);
    },
  );
  await record(
    server,
    'issue_command-cancel-from-temporal',
    (companyId) => rebootInput(companyId, { max_in_flight: 1 }),
    async (handle, fleet) => {
      fleet.transport.script = () => ({ status: 'success', afterMilliseconds: 200 });
      await waitForSends(fleet, 1);
      await handle.cancel();
    },
  );
} finally {
  await environment.teardown();
}

// A dev server that suggests continue-as-new after 30 events: the first run of a rollout that
// handed over, and its last.
const early = await startTemporalTestServer('dev-server', [
  '--dynamic-config-value',
  'limit.historyCount.suggestContinueAsNew=30',
]);
try {
  const handle = await record(
    { environment: early, database, bundle },
    'issue_command-continue-as-new-last-run',
    (companyId) => rebootInput(companyId, { max_in_flight: 2 }),
  );
  await save(handle, handle.firstExecutionRunId, 'issue_command-continue-as-new-first-run');
} finally {
  await early.teardown();
  await database.close();
}
