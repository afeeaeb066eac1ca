import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { bulkResponseClient } from '../support/bulk-response-client';
import { eventually } from '../support/bounded-waits';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { simulateDevices } from '../support/simulated-demo-fleet';
import { assertEveryEndedRolloutTallies } from '../support/rollout-tally';

const platform = '/api/v1/platform';
const tag = 'timing-e2e';
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

// Maintenance windows and continuous rollouts on the real stack: a small fleet of simulated
// gateways, devices created through the API while a rollout runs, real wall-clock waits.
describe('maintenance windows and continuous rollouts end to end (dev server, registry, broker, simulator)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleetId: string;
  let gatewayTypeId: string;
  const simulators: SimulatedFleet[] = [];
  let windowed: { id: string; opensAt: number } | undefined;

  const createDevice = async (uniqueId: string): Promise<string> => {
    const response = await request(stack.app)
      .post(`${platform}/devices`)
      .set('Authorization', demo.tokens.admin)
      .send({ unique_id: uniqueId, device_type_id: gatewayTypeId, tags: [tag] })
      .expect(201);
    return (response.body as { _id: string })._id;
  };

  // The devices connect through the simulator, as a real device would, with issued credentials.
  const connect = async (deviceIds: string[]): Promise<SimulatedFleet> => {
    const fleet = await simulateDevices(stack.database, demo.credentials.company_id, stack.broker.url, deviceIds, {
      behaviour: { latency: { minMs: 5, maxMs: 20 }, failureRate: 0, heartbeatScale: 100 },
    });
    simulators.push(fleet);
    await sleep(1500);
    return fleet;
  };

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    const [gateway] = await stack.database.query<{ id: string }>(
      `select id from device_types where company_id = $1 and type = 'gateway' order by id limit 1`,
      [demo.credentials.company_id],
    );
    gatewayTypeId = gateway!.id;
    const fleet = await request(stack.app)
      .post(`${platform}/fleets`)
      .set('Authorization', demo.tokens.admin)
      .send({ name: 'Timing', criteria: { tags_any: [tag] } })
      .expect(201);
    fleetId = (fleet.body as { _id: string })._id;
    const first = [];
    for (let index = 0; index < 3; index++) first.push(await createDevice(`TIMING-${index}`));
    await connect(first);
  });
  after(async () => {
    for (const simulator of simulators) await simulator.stop();
    await stack?.stop();
  });

  it('when the only window opens in a minute or two, then the rollout waits, says until when, and sends nothing', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const opensAt = new Date(Math.ceil((Date.now() + 60_000) / 60_000) * 60_000);
    const closesAt = new Date(opensAt.getTime() + 30 * 60_000);
    const hhmm = (date: Date) => date.toISOString().slice(11, 16);
    const id = await client.start(fleetId, {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: {
        device_timeout_seconds: 30,
        windows: [
          {
            days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
            start: hhmm(opensAt),
            end: hhmm(closesAt),
            timezone: 'UTC',
          },
        ],
      },
    });
    windowed = { id, opensAt: opensAt.getTime() };
    let view = await client.view(id);
    for (let tries = 0; !view.waiting_for?.includes('maintenance window') && tries < 40; tries++) {
      await sleep(250);
      view = await client.view(id);
    }
    assert.match(view.waiting_for ?? '', new RegExp(`maintenance window opening at ${opensAt.toISOString()}`));
    assert.equal(view.counts.sent + view.counts.success, 0, 'nothing sent outside the window');
  });

  it('when a device joins the fleet during a continuous rollout, then it receives the command once and ends success', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const until = new Date(Date.now() + 40_000).toISOString();
    const id = await client.start(fleetId, {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: { device_timeout_seconds: 20, continuous: { until, check_interval_seconds: 10 } },
    });
    await eventually(async () => (await client.view(id)).counts.success >= 3, 30_000, 'the first three devices');
    const joined = await createDevice('TIMING-JOINED');
    const simulator = await connect([joined]);
    let view = await client.view(id);
    for (let tries = 0; view.counts.success < 4 && tries < 120; tries++) {
      await sleep(250);
      view = await client.view(id);
    }
    assert.equal(view.counts.success, 4, 'the joined device succeeded while the rollout ran');
    assert.equal(view.status, 'processing', 'a continuous rollout runs until its end time');
    const final = await client.waitForEnd(id, 60_000);
    assert.equal(final.status, 'completed');
    assert.equal(final.counts.total, 4);
    assert.equal(final.counts.success, 4);
    const rows = await client.responses(id, 'success');
    assert.ok(rows.resources.some((row) => row.device_id === joined));
    assert.ok(final.completed_at && Date.parse(final.completed_at) >= Date.parse(until), 'ended at until');
    assert.equal(simulator.stats().commandsActed, 1, 'the joined device acted once');
  });

  // The window opening and dispatching inside it is the time-skipping test's
  // (test/workflows/maintenance-windows.workflow.test.ts): waiting a real minute or two here
  // proved nothing more.
  it('when the waiting rollout is canceled before its window opens, then it ends canceled and nothing reached a device', async () => {
    assert.ok(windowed, 'the windowed rollout started');
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    await client.control(windowed.id, 'cancel').expect(202);
    const final = await client.waitForEnd(windowed.id, 30_000);
    assert.equal(final.status, 'canceled');
    assert.equal(final.counts.canceled, final.counts.total);
    assert.ok(Date.parse(final.completed_at!) < windowed.opensAt, 'ended before its window opened');
  });

  it("when the suite's rollouts ended, then each tallies: counts are the entries, each final once, acted = success + fail", async () => {
    const tallied = await assertEveryEndedRolloutTallies({
      app: stack.app,
      token: demo.tokens.viewer,
      database: stack.database,
      companyId: demo.credentials.company_id,
      fleets: simulators,
    });
    assert.ok(tallied > 0);
  });
});
