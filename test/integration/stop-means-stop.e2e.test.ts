import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { silentLogger } from '../../harness/device-fixtures';
import { receiptsInQuietWindows, stopGraceMilliseconds } from '../../harness/stop-witness';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { assertRolloutTally } from '../support/rollout-tally';
import { simulateCompanyDevices } from '../support/simulated-demo-fleet';

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function until(check: () => Promise<boolean> | boolean, withinMilliseconds: number, what: string) {
  const deadline = Date.now() + withinMilliseconds;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${withinMilliseconds} ms`);
    await sleep(100);
  }
}

// A Temporal client whose workflow starts carry an execution timeout, as an operator's own
// tooling (or a namespace default) could give one: the API starts rollouts through it unchanged.
function clientWithExecutionTimeout(temporal: Client, timeout: string): Client {
  const workflow = new Proxy(temporal.workflow, {
    get(target, property, receiver) {
      if (property === 'start')
        return (type: string, options: Record<string, unknown>) =>
          target.start(type, { ...options, workflowExecutionTimeout: timeout } as Parameters<typeof target.start>[1]);
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Proxy(temporal, {
    get: (target, property, receiver): unknown =>
      property === 'workflow' ? workflow : Reflect.get(target, property, receiver),
  });
}

// Stop means stop, watched at the devices (the simulator logs when each command reached a device):
// a paused rollout sends nothing, re-sends included, until it is resumed; an execution that times
// out is a stop like Terminate — nothing of it runs any more, the reconciler settles its rows.
describe('stop means stop at the devices (dev server, registry, broker, simulator, HTTP)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleet: SimulatedFleet;

  before(async () => {
    stack = await startEngineStack({ reconcileIntervalMilliseconds: 1_000 });
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    // Slow answers: a device is re-sent its command every second until it answers. Heartbeats every
    // 30 s keep every device online through the suite (the demo gateways' period is 60 s).
    fleet = await simulateCompanyDevices(stack.database, demo.credentials.company_id, stack.broker.url, {
      behaviour: { latency: { minMs: 5_000, maxMs: 7_000 }, heartbeatScale: 10 },
    });
    // Every device heartbeats within 5 s of connecting: online for the registry after that.
    await sleep(6_000);
  });
  after(async () => {
    await fleet?.stop();
    await stack?.stop();
  });

  const tally = (app: Express, bulkResponseId: string) =>
    assertRolloutTally({ app, token: demo.tokens.viewer, database: stack.database, bulkResponseId, fleets: [fleet] });

  it('when a rollout is paused while re-sends are due, then no device receives anything until resume, and it then completes', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const id = await client.start(demo.fleetId('Lobby devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: {
        max_in_flight: 20,
        device_timeout_seconds: 60,
        retry: { max_attempts: 10, initial_interval_seconds: 1, backoff_coefficient: 1, max_interval_seconds: 1 },
      },
    });
    await until(() => fleet.stats().duplicates > 0, 30_000, 'a re-send');
    const pausedAt = Date.now();
    const paused = await client.control(id, 'pause').expect(202);
    assert.equal((paused.body as { status: string }).status, 'paused');
    const answeredAt = Date.now();
    await sleep(3_000);
    const [due] = await stack.database.query<{ devices: number }>(
      `select count(*)::int as devices from bulk_response_devices
        where bulk_response_id = $1 and status = 'sent' and next_send_at <= now()`,
      [id],
    );
    assert.ok(due!.devices > 0, 'devices still silent were due for a re-send while paused');
    await sleep(6_000);
    const resumedAt = Date.now();
    const late = receiptsInQuietWindows(fleet.executions(id), [{ what: 'pause', from: pausedAt, until: resumedAt }]);
    assert.deepEqual(late, [], `nothing reached a device from ${stopGraceMilliseconds} ms after the pause`);
    // Stricter than the bound, for the record: nothing reached a device once the pause answered.
    const afterAnswer = receiptsInQuietWindows(
      fleet.executions(id),
      [{ what: 'pause answered', from: answeredAt, until: resumedAt }],
      0,
    );
    assert.deepEqual(afterAnswer, [], 'nothing reached a device after the pause was answered');
    await client.control(id, 'resume').expect(202);
    const final = await client.waitForEnd(id, 120_000);
    assert.equal(final.status, 'completed');
    await tally(stack.app, id);
  });

  it('when the execution times out mid-rollout, then it is a stop like terminate: nothing more reaches a device and the record ends failed, timed_out', async () => {
    const timedApp = createApp({
      config: stack.config,
      database: stack.database,
      temporal: clientWithExecutionTimeout(stack.temporal, '8 seconds'),
      logger: silentLogger,
    });
    const client = bulkResponseClient(timedApp, demo.tokens.operator);
    const id = await client.start(demo.fleetId('All devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: { max_in_flight: 20, device_timeout_seconds: 15 },
    });
    const handle = stack.temporal.workflow.getHandle(id);
    let closedAt = 0;
    await until(
      async () => {
        const description = await handle.describe();
        closedAt = description.closeTime?.getTime() ?? 0;
        return description.status.name === 'TIMED_OUT';
      },
      60_000,
      'the execution timeout',
    );
    const final = await client.waitForEnd(id, 120_000);
    assert.equal(final.status, 'failed');
    assert.equal(final.status_reason?.code, 'timed_out');
    assert.ok(final.counts.canceled > 0, 'devices never reached end canceled');
    const late = receiptsInQuietWindows(fleet.executions(id), [{ what: 'timeout', from: closedAt, until: null }]);
    assert.deepEqual(late, [], `nothing reached a device ${stopGraceMilliseconds} ms after the timeout`);
    await tally(timedApp, id);
  });

  it('when a rollout is canceled the moment it starts, then it ends canceled and nothing reaches a device 5 s later', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const id = await client.start(demo.fleetId('All devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: { max_in_flight: 20, device_timeout_seconds: 15 },
    });
    const canceledAt = Date.now();
    const canceled = await client.control(id, 'cancel').expect(202);
    assert.equal((canceled.body as { status: string }).status, 'canceling');
    const final = await client.waitForEnd(id, 60_000);
    assert.equal(final.status, 'canceled');
    const late = receiptsInQuietWindows(fleet.executions(id), [{ what: 'cancel', from: canceledAt, until: null }]);
    assert.deepEqual(late, [], `nothing reached a device ${stopGraceMilliseconds} ms after the cancel`);
    await tally(stack.app, id);
  });

  it('when a rollout is paused before its start time, then it starts paused and sends nothing until resumed', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const startAt = Date.now() + 3_000;
    const id = await client.start(demo.fleetId('Lobby devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: { max_in_flight: 200, device_timeout_seconds: 30, start_at: new Date(startAt).toISOString() },
    });
    const pausedAt = Date.now();
    const paused = await client.control(id, 'pause').expect(202);
    assert.equal((paused.body as { status: string }).status, 'paused');
    await until(async () => (await client.view(id)).started_at !== null, 30_000, 'the start');
    await sleep(4_000);
    const view = await client.view(id);
    assert.equal(view.status, 'paused');
    assert.match(view.waiting_for ?? '', /^resume/);
    const resumedAt = Date.now();
    assert.deepEqual(fleet.executions(id), [], 'nothing was sent while paused');
    await client.control(id, 'resume').expect(202);
    const final = await client.waitForEnd(id, 120_000);
    assert.equal(final.status, 'completed', JSON.stringify(final.counts));
    assert.ok(Date.parse(final.started_at!) >= startAt - 1_000, 'it started at its start time');
    assert.deepEqual(
      receiptsInQuietWindows(fleet.executions(id), [{ what: 'pause', from: pausedAt, until: resumedAt }], 0),
      [],
    );
    await tally(stack.app, id);
  });
});
