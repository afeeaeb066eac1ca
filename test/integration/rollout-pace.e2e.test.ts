import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { simulateCompanyDevices } from '../support/simulated-demo-fleet';

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const ratePerMinute = 600;
const measuredSeconds = 30;
// The pace itself is exact (tested in the model's property test); what a busy CI machine adds is a
// late start and late timers, which the pace catches up within two seconds.
const tolerance = 0.15;

// rate_per_minute on the real stack, measured from the device rows' send times: devices that answer
// in 50-500 ms do not slow it down (the window is far from full), and it does not run ahead.
describe('the pace of a rollout (dev server, registry, broker, simulator, HTTP)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleet: SimulatedFleet;

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    fleet = await simulateCompanyDevices(stack.database, demo.credentials.company_id, stack.broker.url, {
      behaviour: { latency: { minMs: 50, maxMs: 500 } },
    });
    await sleep(2_000);
  });
  after(async () => {
    await fleet?.stop();
    await stack?.stop();
  });

  it(`when rate_per_minute is ${ratePerMinute} and devices answer in 50-500 ms, then ${ratePerMinute / 60} devices a second are sent to`, async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const id = await client.start(demo.fleetId('All devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: { rate_per_minute: ratePerMinute, device_timeout_seconds: 30 },
    });
    const first = await waitForFirstSend(id);
    await sleep(Math.max(0, first + (measuredSeconds + 2) * 1000 - Date.now()));
    await client.control(id, 'cancel').expect(202);
    const sends = await stack.database.query<{ sent: number }>(
      `select count(*)::int as sent from bulk_response_devices
        where bulk_response_id = $1 and sent_at >= $2 and sent_at < $3`,
      [id, new Date(first), new Date(first + measuredSeconds * 1000)],
    );
    const expected = (ratePerMinute / 60) * measuredSeconds;
    const sent = sends[0]!.sent;
    assert.ok(
      Math.abs(sent - expected) <= expected * tolerance,
      `${sent} devices sent in ${measuredSeconds} s, expected ${expected} within ${tolerance * 100} %`,
    );
    await client.waitForEnd(id);
  });

  async function waitForFirstSend(id: string): Promise<number> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const [row] = await stack.database.query<{ first: Date | null }>(
        'select min(sent_at) as first from bulk_response_devices where bulk_response_id = $1',
        [id],
      );
      if (row?.first) return new Date(row.first).getTime();
      await sleep(100);
    }
    throw new Error('no device was sent to within 30 s');
  }
});
