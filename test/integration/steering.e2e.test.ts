import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { simulateCompanyDevices } from '../support/simulated-demo-fleet';
import { assertEveryEndedRolloutTallies } from '../support/rollout-tally';

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

// Operators steering a running rollout: pause/resume through the API, and cancellation through
// the Temporal server itself, as the Temporal UI's "Request cancellation" does.
describe('steering a rollout (dev server, registry, broker, simulator, HTTP)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleet: SimulatedFleet;
  // Slow enough that a pause or a cancellation lands well before the last device, even on a busy
  // CI machine (at 10 in flight, the lobby's 95 gateways could all answer before a pause landed).
  const slowRollout = { max_in_flight: 3, device_timeout_seconds: 60 };

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

  it('when paused through the API, then no new device is commanded until resume, and the rollout then completes', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const id = await client.start(demo.fleetId('Lobby devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: slowRollout,
    });
    while (fleet.stats().commandsReceived < 10) await sleep(50);
    const paused = await client.control(id, 'pause').expect(202);
    assert.equal((paused.body as { status: string }).status, 'paused');
    await sleep(1000);
    const received = fleet.stats().commandsReceived;
    await sleep(1500);
    assert.equal(fleet.stats().commandsReceived, received, 'nothing is sent while paused');
    assert.equal((await client.view(id)).status, 'paused');
    // The stored record says it too, with what the rollout waits for: the list shows it without
    // asking the execution.
    const listed = await request(stack.app)
      .get('/api/v1/platform/bulk_responses?status=paused')
      .set('Authorization', demo.tokens.viewer)
      .expect(200);
    const item = (listed.body as { _id: string; waiting_for: string | null }[]).find((entry) => entry._id === id);
    assert.match(item?.waiting_for ?? '', /^resume/);
    await client.control(id, 'resume').expect(202);
    const final = await client.waitForEnd(id);
    assert.equal(final.status, 'completed');
    assert.equal(final.counts.success + final.counts.skipped, final.counts.total);
  });

  it('when an operator cancels through Temporal, then the rollout stops, every device ends final and the summary is stored', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const id = await client.start(demo.fleetId('All devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: slowRollout,
    });
    const receivedAtStart = fleet.stats().commandsReceived;
    while (fleet.stats().commandsReceived < receivedAtStart + 30) await sleep(50);
    await stack.temporal.workflow.getHandle(id).cancel();
    const final = await client.waitForEnd(id);
    // The summary is stored during cleanup, just before the execution reports its cancellation.
    await stack.temporal.workflow
      .getHandle(id)
      .result()
      .catch(() => undefined);
    const description = await stack.temporal.workflow.getHandle(id).describe();
    assert.equal(description.status.name, 'CANCELLED');
    assert.equal(final.status, 'canceled');
    assert.ok(final.counts.canceled > 500, `most devices were never reached (${final.counts.canceled} canceled)`);
    const entries = await client.responses(id);
    assert.equal(entries.total, final.counts.total, 'every device has a final entry');
    const finals = ['success', 'fail', 'timed_out', 'skipped', 'canceled'] as const;
    assert.equal(
      finals.reduce((sum, status) => sum + final.counts[status], 0),
      final.counts.total,
    );
    await sleep(1000);
    const sentAfterCancel = fleet.stats().commandsReceived;
    await sleep(1000);
    assert.equal(fleet.stats().commandsReceived, sentAfterCancel, 'nothing new is sent after cancellation');
    await client.control(id, 'cancel').expect(409);
  });

  it("when the suite's rollouts ended, then each tallies: counts are the entries, each final once, acted = success + fail", async () => {
    const tallied = await assertEveryEndedRolloutTallies({
      app: stack.app,
      token: demo.tokens.viewer,
      database: stack.database,
      companyId: demo.credentials.company_id,
      fleets: [fleet],
    });
    assert.ok(tallied > 0);
  });
});
