import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import request from 'supertest';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { simulateDevices } from '../support/simulated-demo-fleet';

const platform = '/api/v1/platform';
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function until<T>(check: () => Promise<T | undefined>, withinMilliseconds: number, what: string): Promise<T> {
  const deadline = Date.now() + withinMilliseconds;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} not seen within ${withinMilliseconds} ms`);
    await sleep(100);
  }
}

interface Row {
  device_id: string;
  status: string;
  message: string | null;
  progress: Record<string, unknown> | null;
  sent_at: Date;
  deadline_at: Date;
  answered_at: Date | null;
}

// What the engine makes of devices that do more than answer, on the real stack (Temporal dev
// server, registry, embedded broker, worker, HTTP) with the simulator's devices: devices that die
// after answering a reboot (confirm_health catches them, an abort criterion stops the rollout) and
// devices that report progress and ask for more time.
describe('device health and progress end to end (dev server, registry, broker, simulator, HTTP)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let companyId: string;
  let fleet: SimulatedFleet | undefined;

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    companyId = demo.credentials.company_id;
  });
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
  });
  after(async () => {
    await stack?.stop();
  });

  // `count` active devices whose type supports the gateway command and that no earlier test used, in
  // a fleet of their own, connected through the simulator.
  const used: string[] = [];
  const gatewayFleet = async (
    name: string,
    command: string,
    count: number,
    options: Parameters<typeof simulateDevices>[4],
  ) => {
    const devices = await stack.database.query<{ id: string; unique_id: string }>(
      `select d.id, d.unique_id from devices d join device_types t on t.id = d.device_type_id
        where d.company_id = $1 and d.active and (t.capabilities -> 'actions' ->> $2)::boolean
          and d.id <> all($3::text[])
        order by d.id limit $4`,
      [companyId, command, used, count],
    );
    assert.equal(devices.length, count, `${count} devices that take ${command}`);
    used.push(...devices.map((device) => device.id));
    const response = await request(stack.app)
      .post(`${platform}/fleets`)
      .set('Authorization', demo.tokens.admin)
      .send({ name, criteria: { unique_ids: devices.map((device) => device.unique_id) } })
      .expect(201);
    fleet = await simulateDevices(
      stack.database,
      companyId,
      stack.broker.url,
      devices.map((device) => device.id),
      options,
    );
    return { fleetId: (response.body as { _id: string })._id, deviceIds: devices.map((device) => device.id) };
  };
  const rows = (bulkResponseId: string) =>
    stack.database.query<Row>(
      `select device_id, status, message, progress, sent_at, deadline_at, answered_at
         from bulk_response_devices where bulk_response_id = $1 order by device_id`,
      [bulkResponseId],
    );
  // Heard from (a heartbeat or `online`) by the registry: the engine sends at once, not enqueued.
  const allOnline = (deviceIds: string[]) =>
    until(
      async () => {
        const [row] = await stack.database.query<{ online: number }>(
          `select count(*)::int as online from devices where id = any($1::text[]) and connected and last_seen_at is not null`,
          [deviceIds],
        );
        return row!.online === deviceIds.length ? true : undefined;
      },
      10_000,
      'every device online',
    );

  it('when some devices brick after a reboot with confirm_health, then they end unhealthy and the abort criterion stops the rollout', async () => {
    // Heartbeats every second (300 s default period / 300): a living device is seen within 5 s.
    const { fleetId, deviceIds } = await gatewayFleet('Reboot health', 'reboot', 24, {
      brickShare: 0.25,
      behaviour: { latency: { minMs: 5, maxMs: 40 }, heartbeatScale: 300, brickAfterMs: 200 },
    });
    const bricking = fleet!.brickingDeviceIds;
    assert.equal(bricking.size, 6);
    await allOnline(deviceIds);
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const id = await client.start(fleetId, {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: {
        max_in_flight: 4,
        device_timeout_seconds: 10,
        confirm_health: { within_seconds: 5 },
        abort: [{ on: 'unhealthy', count: 2, min_finished: 1 }],
      },
    });
    const final = await client.waitForEnd(id, 50_000);
    assert.equal(final.status, 'aborted');
    assert.equal(final.status_reason?.code, 'failure_count_exceeded');
    assert.match(final.status_reason?.message ?? '', /^unhealthy: \d+ of \d+ finished devices ended unhealthy/);

    const settled = await rows(id);
    assert.equal(settled.length, 24);
    const reached = settled.filter((row) => row.status !== 'canceled');
    assert.ok(reached.length < 24, 'the abort left devices unreached');
    assert.ok(
      settled.every((row) => row.status !== 'skipped'),
      'every device takes a reboot',
    );
    for (const row of reached) {
      if (bricking.has(row.device_id)) {
        assert.equal(row.status, 'unhealthy', `bricked device ${row.device_id}`);
        assert.match(row.message ?? '', /not seen alive/);
      } else assert.equal(row.status, 'success', `healthy device ${row.device_id}`);
    }
    const unhealthy = settled.filter((row) => row.status === 'unhealthy').length;
    assert.ok(unhealthy >= 2, `${unhealthy} unhealthy`);
    assert.equal(final.counts.unhealthy, unhealthy);
    assert.ok(final.counts.success > 0);
    assert.equal(fleet!.stats().devicesBricked, unhealthy, 'every bricked device that answered is unhealthy');
    const listed = await client.responses(id, 'unhealthy');
    assert.equal(listed.total, unhealthy);
  });

  it('when a device reports progress past its deadline, then its row shows the latest progress and it finishes success after the original deadline', async () => {
    const { fleetId, deviceIds } = await gatewayFleet('Long backups', 'backup', 2, {
      progressShare: 1,
      behaviour: { latency: { minMs: 5, maxMs: 40 }, heartbeatScale: 30, progressWorkMs: 9_000 },
    });
    await allOnline(deviceIds);
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const deviceTimeoutSeconds = 4;
    const id = await client.start(fleetId, {
      action: 'issue_command',
      gateway_command: 'backup',
      rollout: { device_timeout_seconds: deviceTimeoutSeconds, max_device_seconds: 30 },
    });
    // Each device's row follows its reports: the second one (a third of 9 s) replaces the first,
    // on the row and in /responses, while the device still works.
    const seen = new Map<string, { percent: unknown; step: unknown }[]>();
    await until(
      async () => {
        for (const entry of (await client.responses(id)).resources) {
          if (entry.status !== 'in_progress') continue;
          const sequence = seen.get(entry.device_id) ?? [];
          const latest = { percent: entry.progress?.percent, step: entry.progress?.step };
          if (sequence.at(-1)?.percent !== latest.percent) sequence.push(latest);
          seen.set(entry.device_id, sequence);
        }
        const atThird = [...seen.values()].filter((sequence) => sequence.some((report) => report.percent === 33));
        return atThird.length === 2 ? true : undefined;
      },
      8_000,
      'both devices at 33 %',
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; seen ${JSON.stringify([...seen])}; rows ${JSON.stringify(await rows(id))}`);
    });
    for (const sequence of seen.values()) {
      assert.deepEqual(
        sequence.find((report) => report.percent === 33),
        { percent: 33, step: 'working' },
      );
      const percents = sequence.map((report) => report.percent as number);
      assert.deepEqual(
        percents,
        [...percents].sort((left, right) => left - right),
        'progress never goes back',
      );
    }
    const during = await rows(id);
    for (const row of during) {
      const original = row.sent_at.getTime() + deviceTimeoutSeconds * 1000;
      assert.ok(row.deadline_at.getTime() > original + 4000, 'the first report moved the deadline');
      assert.ok(row.deadline_at.getTime() <= row.sent_at.getTime() + 30_000, 'within max_device_seconds');
    }

    const final = await client.waitForEnd(id, 30_000);
    assert.equal(final.status, 'completed');
    assert.equal(final.counts.success, 2);
    for (const row of await rows(id)) {
      assert.equal(row.status, 'success');
      const original = row.sent_at.getTime() + deviceTimeoutSeconds * 1000;
      assert.ok(row.answered_at!.getTime() > original + 3000, 'answered well past the original deadline');
    }
    const stats = fleet!.stats();
    assert.equal(stats.progressReportsSent, 6);
    assert.equal(stats.devicesReportingProgress, 2);
  });
  it('when a device asks for more time than max_device_seconds allows, then its deadline stops at the cap and it ends timed_out', async () => {
    const { fleetId, deviceIds } = await gatewayFleet('Capped backups', 'backup', 1, {
      progressShare: 1,
      behaviour: { latency: { minMs: 5, maxMs: 40 }, heartbeatScale: 30, progressWorkMs: 15_000 },
    });
    await allOnline(deviceIds);
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const id = await client.start(fleetId, {
      action: 'issue_command',
      gateway_command: 'backup',
      rollout: { device_timeout_seconds: 4, max_device_seconds: 6 },
    });
    // Its 15 s of work end after the cap (6 s from the send) and the grace (2 s): the final answer
    // comes too late and changes nothing.
    const final = await client.waitForEnd(id, 30_000);
    assert.equal(final.status, 'completed_with_errors');
    assert.equal(final.counts.timed_out, 1);
    const [row] = await rows(id);
    assert.equal(row!.status, 'timed_out');
    assert.equal(row!.deadline_at.getTime() - row!.sent_at.getTime(), 6_000, 'the deadline stopped at the cap');
    // It asked for 17 s in its first report (15 s of work and 2 s) and reported again at 5 s (no
    // more time needed); the report at 10 s came after the row ended and changed nothing.
    assert.equal(row!.progress?.percent, 33);
    await until(
      () => Promise.resolve(fleet!.stats().acknowledgementsSent >= 1 ? true : undefined),
      10_000,
      // Once per copy it received: the last copy at the deadline is answered too, when the work ends.
      'the late final answer sent',
    );
    const [after] = await rows(id);
    assert.equal(after!.status, 'timed_out', 'a final answer after the row ended changes nothing');
  });
});
