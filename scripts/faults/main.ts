import { parseArgs } from 'node:util';
import { terminalBulkStatuses } from '../../contracts/statuses';
import { startOnlineFleet } from '../../harness/fault-fleet';
import { createFaultTenant, type FaultTenant } from '../../harness/fault-tenant';
import { startFaultStack, type FaultStack } from '../../harness/fault-stack';
import { tallyProblems, tallyRollout, type RolloutTally } from '../../harness/fault-tally';
import { startFleetAction } from '../../harness/fleet-action-client';
import { freePort } from '../../harness/free-port';
import { startPostLoad, type PostLoadResult } from '../../harness/idempotent-post-load';
import { followRollout, type RolloutProgress } from '../../harness/rollout-progress';
import type { ServiceProcess } from '../../harness/service-process';
import type { SimulatedFleet } from '../../simulator/device-fleet';

// `npm run faults`: a 5,000-device reboot on the real stack (worker and API in their own
// processes), first clean, then under faults: worker kill -9 (three times, a fresh worker with
// the same WORKER_ID each time), Temporal dev server restart (SQLite file kept), broker restart,
// and API kill -9 under concurrent POSTs with Idempotency-Keys (unanswered keys retried after).
// Loopback only; stops by itself. Last line: RESULT {json}.

// `npm run faults -- --devices 1000` for a quicker look; the faults strike at fixed shares of it.
const devices = Number(parseArgs({ options: { devices: { type: 'string', default: '5000' } } }).values.devices);
const postLoadDevices = 50;
const deviceTimeoutSeconds = 60;
const runTimeoutMilliseconds = 10 * 60_000;
const workerId = 'faults-worker';
const rollout = {
  max_in_flight: 100,
  device_timeout_seconds: deviceTimeoutSeconds,
  retry: { max_attempts: 6, initial_interval_seconds: 3, backoff_coefficient: 2, max_interval_seconds: 15 },
};
const rolloutBody = { action: 'issue_command', gateway_command: 'reboot', rollout };

interface Run {
  stack: FaultStack;
  tenant: FaultTenant;
  postTenant: FaultTenant;
  fleet: SimulatedFleet;
  apiUrl: string;
  apiPort: number;
  api: ServiceProcess;
  worker: ServiceProcess;
}

const log = (message: string, fields: Record<string, unknown> = {}) =>
  console.log(`[faults ${new Date().toISOString().slice(11, 19)}] ${message}`, JSON.stringify(fields));

async function rolloutWith(
  run: Run,
  inject: (progress: RolloutProgress) => Promise<void>,
): Promise<{ tally: RolloutTally; progress: RolloutProgress }> {
  const id = await startFleetAction(run.apiUrl, run.tenant.authorization, run.tenant.fleetId, rolloutBody);
  const progress = followRollout(run.stack.database, id);
  try {
    await inject(progress);
    await progress.waitForEnd(6 * 60_000);
  } catch (error) {
    log('stalled', { settled: progress.settled, waiting: await run.stack.waitingRollouts() });
    throw error;
  } finally {
    progress.stop();
  }
  const witnesses = { database: run.stack.database, executions: run.fleet.executions(id), ackTap: run.stack.ackTap };
  return { tally: await tallyRollout(witnesses, id, devices), progress };
}

const lookAfterMilliseconds = 15_000;

// A registry call the killed worker had started is retried once its start-to-close timeout ends;
// a look 15 s after the kill shows what the rollout still waits for: rows and pending activities.
async function killWorker(run: Run, name: string): Promise<void> {
  await run.worker.kill();
  run.worker = await run.stack.startWorker(workerId);
  setTimeout(() => {
    void run.stack.waitingRollouts().then(
      (waiting) => log(`${name}: what the rollouts wait for 15 s after the kill`, { waiting }),
      () => undefined,
    );
  }, lookAfterMilliseconds);
}

// Kills the API while clients post, starts it again on the same port, and lets the clients go on
// a moment before they stop and retry what was never answered.
async function killApiUnderLoad(run: Run): Promise<PostLoadResult> {
  const load = startPostLoad({
    apiUrl: run.apiUrl,
    authorization: run.postTenant.authorization,
    fleetId: run.postTenant.fleetId,
    body: { action: 'add_tags', tags: ['faults'] },
    clients: 6,
    pauseMilliseconds: 100,
  });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await run.api.kill();
  run.api = await run.stack.startApiProcess(run.apiPort);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  return load.finish(60_000);
}

// Bulk responses of the run that are not in a terminal status (waits for the POSTed ones first).
async function orphans(run: Run, acceptedIds: readonly string[]): Promise<number> {
  const deadline = Date.now() + 90_000;
  const open = async () =>
    (
      await run.stack.database.query<{ count: number }>(
        `select count(*)::int as count from bulk_responses
          where company_id = any($1::text[]) and (status <> all($2::text[]) or completed_at is null)`,
        [[run.tenant.companyId, run.postTenant.companyId], [...terminalBulkStatuses]],
      )
    )[0]!.count;
  const unknown = async () =>
    (
      await run.stack.database.query<{ count: number }>(
        'select count(*)::int as count from unnest($1::text[]) as accepted(id) where id not in (select id from bulk_responses)',
        [acceptedIds],
      )
    )[0]!.count;
  while ((await open()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1000));
  return (await open()) + (await unknown());
}

async function faultyRollout(run: Run) {
  const faultAt: Record<string, number> = {};
  const downSeconds: Record<string, number> = {};
  let posts: PostLoadResult | undefined;
  const at = async (progress: RolloutProgress, settled: number, name: string, fault: () => Promise<unknown>) => {
    await progress.waitUntilSettled(settled, 4 * 60_000);
    log(`fault: ${name}`, { settled: progress.settled });
    faultAt[name] = Date.now();
    await fault();
    downSeconds[name] = (Date.now() - faultAt[name]) / 1000;
  };
  const { tally, progress } = await rolloutWith(run, async (progress) => {
    await at(progress, devices * 0.1, 'worker_kill_1', () => killWorker(run, 'worker_kill_1'));
    await at(progress, devices * 0.2, 'worker_kill_2', () => killWorker(run, 'worker_kill_2'));
    await at(progress, devices * 0.3, 'temporal_restart', () => run.stack.restartTemporal());
    await at(progress, devices * 0.45, 'broker_restart', () => run.stack.broker.restart());
    await at(progress, devices * 0.6, 'api_kill', async () => (posts = await killApiUnderLoad(run)));
    await at(progress, devices * 0.75, 'worker_kill_3', () => killWorker(run, 'worker_kill_3'));
  });
  await logTimedOut(run, tally.bulkResponseId, faultAt);
  const stalls = Object.fromEntries(
    Object.entries(faultAt).map(([name, time]) => [name, progress.stallSecondsSince(time) ?? null]),
  );
  return { tally, stalls, downSeconds, posts: posts! };
}

// Devices that ran out of time: how often they were sent to, and when they were dispatched
// (deadline before their final write), next to the faults, to tell which fault left them behind.
async function logTimedOut(run: Run, bulkResponseId: string, faultAt: Record<string, number>): Promise<void> {
  const rows = await run.stack.database.query<{ attempts: number; devices: number; first: number; last: number }>(
    `select attempts, count(*)::int as devices,
            (extract(epoch from min(updated_at)) * 1000)::float8 - $2 as first,
            (extract(epoch from max(updated_at)) * 1000)::float8 - $2 as last
       from bulk_response_devices where bulk_response_id = $1 and status = 'timed_out' group by attempts`,
    [bulkResponseId, deviceTimeoutSeconds * 1000],
  );
  const clock = (at: number) => new Date(at).toISOString().slice(11, 23);
  log('timed out devices by sends (dispatched between)', {
    groups: rows.map((row) => ({ ...row, first: clock(row.first), last: clock(row.last) })),
    faults: Object.fromEntries(Object.entries(faultAt).map(([name, at]) => [name, clock(at)])),
    simulator: run.fleet.stats(),
  });
}

async function setUp(stack: FaultStack): Promise<Run> {
  const tenant = await createFaultTenant(stack.database, devices);
  const postTenant = await createFaultTenant(stack.database, postLoadDevices);
  const worker = await stack.startWorker(workerId);
  const fleet = await startOnlineFleet({ database: stack.database, brokerUrl: stack.broker.url, tenant });
  const apiPort = await freePort();
  const api = await stack.startApiProcess(apiPort);
  return { stack, tenant, postTenant, fleet, apiUrl: `http://127.0.0.1:${apiPort}`, apiPort, api, worker };
}

let activeStack: FaultStack | undefined;

async function main(): Promise<Record<string, unknown>> {
  const began = Date.now();
  const stack = await startFaultStack();
  activeStack = stack;
  let run: Run | undefined;
  let finished = false;
  try {
    run = await setUp(stack);
    log('stack up', { devices, seconds: (Date.now() - began) / 1000 });
    const clean = await rolloutWith(run, () => Promise.resolve());
    log('clean rollout', { ...clean.tally });
    const faulty = await faultyRollout(run);
    log('faulty rollout', { ...faulty.tally });
    log('stalls (s)', faulty.stalls);
    log('API kill under POST load', { ...faulty.posts, bulkResponseIds: faulty.posts.bulkResponseIds.length });
    const orphaned = await orphans(run, faulty.posts.bulkResponseIds);
    finished = true;
    return {
      devices,
      device_timeout_seconds: deviceTimeoutSeconds,
      clean_seconds: round(clean.tally.durationSeconds),
      faulty_seconds: round(faulty.tally.durationSeconds),
      late_seconds: round(faulty.tally.durationSeconds - clean.tally.durationSeconds),
      status: faulty.tally.status,
      success: faulty.tally.counts.success,
      simulator_acts: faulty.tally.simulatorActs,
      not_final: faulty.tally.notFinal,
      lost: faulty.tally.lost + faulty.tally.notFinal,
      acted_twice: faulty.tally.actedTwice,
      unaccounted_acts: faulty.tally.unaccountedActs,
      final_twice: faulty.tally.finalTwice,
      nondeterminism_errors: stack.nondeterminismErrors(),
      counts_not_rows: faulty.tally.countsNotRows,
      clean_problems: tallyProblems(clean.tally),
      orphaned,
      stall_seconds: roundAll(faulty.stalls),
      fault_seconds: roundAll(faulty.downSeconds),
      posts: {
        requests: faulty.posts.requests,
        accepted: faulty.posts.accepted,
        refused: faulty.posts.refused,
        unanswered: faulty.posts.unanswered,
        recovered: faulty.posts.recovered,
        still_unanswered: faulty.posts.stillUnanswered,
        bulk_responses: faulty.posts.bulkResponseIds.length,
      },
      total_seconds: round((Date.now() - began) / 1000),
    };
  } finally {
    await run?.fleet.stop();
    await stack.stop({ keepData: !finished });
    if (!finished) log('process logs and Temporal SQLite file kept', { directory: stack.dataDirectory });
    activeStack = undefined;
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function roundAll(values: Record<string, number | null>): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, value === null ? null : round(value)]),
  );
}

// Child processes (dev server, workers, API) must not outlive the run, however it ends.
async function abandon(reason: string, exitCode: number): Promise<never> {
  console.log(`RESULT ${JSON.stringify({ error: reason })}`);
  await Promise.race([activeStack?.stop(), new Promise((resolve) => setTimeout(resolve, 20_000))]);
  process.exit(exitCode);
}

const watchdog = setTimeout(
  () => void abandon(`no result within ${runTimeoutMilliseconds / 1000} s`, 1),
  runTimeoutMilliseconds,
);
process.once('SIGINT', () => void abandon('interrupted', 130));
try {
  const result = await main();
  console.log(`RESULT ${JSON.stringify(result)}`);
  process.exit(0);
} catch (error) {
  console.error(error);
  await abandon((error as Error).message, 1);
} finally {
  clearTimeout(watchdog);
}
