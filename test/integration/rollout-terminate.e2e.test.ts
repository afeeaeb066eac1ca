import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { waitingDeviceStatuses } from '../../contracts/statuses';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { simulateCompanyDevices } from '../support/simulated-demo-fleet';
import { assertEveryEndedRolloutTallies } from '../support/rollout-tally';

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const deadlineSeconds = 20;
// The reconciler notices within a few of its ticks; the devices that had the command then have
// until their deadline (and its answer grace) to answer.
const endedWithinMs = (deadlineSeconds + 40) * 1000;

// Terminate, as the Temporal UI's menu item or `temporal workflow terminate` does it: the rollout's
// own code never runs again. Stop means stop: nothing outside the execution can send a command, so
// the simulator's count of commands acted on freezes at once; the reconciler (a loop in the worker)
// then gives the unreached devices their final rows and ends the record once the last devices that
// had the command answered or reached their deadline.
describe('a rollout terminated through Temporal (dev server, registry, broker, simulator, HTTP)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleet: SimulatedFleet;

  before(async () => {
    stack = await startEngineStack({ reconcileIntervalMilliseconds: 1_000 });
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    fleet = await simulateCompanyDevices(stack.database, demo.credentials.company_id, stack.broker.url, {
      behaviour: { latency: { minMs: 50, maxMs: 500 } },
    });
  });
  after(async () => {
    await fleet?.stop();
    await stack?.stop();
  });

  it('when the execution is terminated mid-rollout, then no device acts after it, every row ends final, counts equal rows and controls answer 409', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const before = fleet.stats().commandsActed;
    const id = await client.start(demo.fleetId('All devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: { rate_per_minute: 600, device_timeout_seconds: deadlineSeconds },
    });
    while (fleet.stats().commandsReceived < 30) await sleep(50);
    await stack.temporal.workflow.getHandle(id).terminate('operator terminated it from the Temporal UI');
    const terminatedAt = Date.now();
    // Commands already published may still be acted on (the simulator answers within 0.5 s).
    await sleep(2_000);
    const actedSoonAfter = fleet.stats().commandsActed;

    let view = await client.view(id);
    while (!view.completed_at && Date.now() - terminatedAt < endedWithinMs) {
      await sleep(1_000);
      view = await client.view(id);
    }
    assert.equal(fleet.stats().commandsActed, actedSoonAfter, 'no device acted later than 2 s after the terminate');
    assert.ok(view.completed_at, `ended within ${endedWithinMs / 1000} s (still ${view.status})`);
    assert.equal(view.status, 'failed');
    assert.equal(view.status_reason?.code, 'terminated');
    for (const status of waitingDeviceStatuses) assert.equal(view.counts[status], 0, `no device left ${status}`);
    assert.equal(view.counts.success + view.counts.fail, actedSoonAfter - before, 'every act is counted, once');

    const entries = await client.responses(id);
    assert.equal(entries.total, view.counts.total, 'every device of the rollout has an entry');
    const byStatus = new Map<string, number>();
    for (const entry of entries.resources) byStatus.set(entry.status, (byStatus.get(entry.status) ?? 0) + 1);
    for (const [status, rows] of byStatus)
      assert.equal(view.counts[status as 'success'], rows, `${status}: counts are rows`);

    const paused = await client.control(id, 'pause').expect(409);
    assert.match(JSON.stringify(paused.body), /failed/);
    await client.control(id, 'cancel').expect(409);
    await client.control(id, 'resume').expect(409);
  });

  it('when the terminated rollout ended, then it tallies: counts are the entries, each final once, acted = success + fail', async () => {
    const tallied = await assertEveryEndedRolloutTallies({
      app: stack.app,
      token: demo.tokens.viewer,
      database: stack.database,
      companyId: demo.credentials.company_id,
      fleets: [fleet],
    });
    assert.equal(tallied, 1);
  });
});
