import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { reconcilerScheduleId } from '../../worker/reconciler-schedule';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { simulateCompanyDevices } from '../support/simulated-demo-fleet';

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
// SPEC: an execution terminated outside the service ends its bulk response within a minute.
const endedWithinMs = 60_000;
const unsettledStatuses = ['pending', 'sent', 'enqueued'] as const;

// Terminate, as the Temporal UI's menu item or `temporal workflow terminate` does it: the rollout's
// own code never runs again, so only the reconciler (a Temporal Schedule running the reconcile
// workflow on the worker) can end the bulk response.
describe('a rollout terminated through Temporal (dev server, registry, broker, simulator, HTTP)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleet: SimulatedFleet;

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    fleet = await simulateCompanyDevices(stack.database, demo.credentials.company_id, stack.broker.url, {
      behaviour: { latency: { minMs: 150, maxMs: 300 } },
    });
  });
  after(async () => {
    await fleet?.stop();
    await stack?.stop();
  });

  it('when the execution is terminated mid-rollout, then within a minute it is failed/terminated, every device final, and controls answer 409', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const id = await client.start(demo.fleetId('All devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: { max_in_flight: 10, device_timeout_seconds: 60 },
    });
    while (fleet.stats().commandsReceived < 30) await sleep(50);
    await stack.temporal.workflow.getHandle(id).terminate('operator terminated it from the Temporal UI');
    const terminatedAt = Date.now();
    assert.equal((await stack.temporal.workflow.getHandle(id).describe()).status.name, 'TERMINATED');

    // The schedule runs every 30 s; triggering it runs the same workflow and activity at once.
    const schedule = stack.temporal.schedule.getHandle(reconcilerScheduleId);
    let view = await client.view(id);
    while (!view.completed_at && Date.now() - terminatedAt < endedWithinMs) {
      await schedule.trigger();
      await sleep(2000);
      view = await client.view(id);
    }
    assert.ok(view.completed_at, `ended within ${endedWithinMs / 1000} s (still ${view.status})`);
    assert.equal(view.status, 'failed');
    assert.equal(view.status_reason?.code, 'terminated');
    for (const status of unsettledStatuses) assert.equal(view.counts[status], 0, `no device left ${status}`);

    const entries = await client.responses(id);
    assert.equal(entries.total, view.counts.total, 'every device of the rollout has an entry');
    for (const status of unsettledStatuses)
      assert.equal((await client.responses(id, status)).total, 0, `no device entry left ${status}`);

    const paused = await client.control(id, 'pause').expect(409);
    assert.match(JSON.stringify(paused.body), /failed/);
    await client.control(id, 'cancel').expect(409);
    await client.control(id, 'resume').expect(409);
  });
});
