import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Rollout } from '../../contracts/fleet-action.schema';
import { freshRolloutState, RolloutModel } from '../../contracts/rollout-model';
import { planOf } from '../../contracts/rollout-plan';
import { isFinalDeviceStatus, type TerminalBulkStatus } from '../../contracts/statuses';
import { RolloutWorld, type WorldDevice } from './rollout-world';

type Step =
  | { kind: 'tick'; milliseconds: number }
  | { kind: 'completeLaunch'; pick: number }
  | { kind: 'answer'; pick: number; status: 'success' | 'fail' }
  | { kind: 'staleSnapshot'; back: number }
  | { kind: 'toggleOnline'; pick: number }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'cancel' }
  | { kind: 'crash' }
  | { kind: 'join'; online: boolean }
  | { kind: 'approve' }
  | { kind: 'reject' };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), milliseconds: fc.integer({ min: 1, max: 3_000 }) }),
  },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('completeLaunch' as const), pick: fc.nat() }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      pick: fc.nat(),
      status: fc.constantFrom('success' as const, 'success' as const, 'fail' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('staleSnapshot' as const), back: fc.nat({ max: 20 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('toggleOnline' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'pause' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'resume' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('join' as const), online: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'approve' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reject' as const }) },
);

const stageArbitrary = fc.record({
  count: fc.integer({ min: 1, max: 6 }),
  min_success_rate: fc.double({ min: 0, max: 1, noNaN: true }),
  bake_seconds: fc.integer({ min: 0, max: 30 }),
  then: fc.constantFrom('continue' as const, 'pause' as const, 'approve' as const),
});

const rolloutArbitrary: fc.Arbitrary<Rollout> = fc
  .record(
    {
      max_in_flight: fc.integer({ min: 1, max: 12 }),
      device_timeout_seconds: fc.integer({ min: 2, max: 30 }),
      rate_per_minute: fc.integer({ min: 30, max: 3_000 }),
      canary: fc.oneof(
        fc.record({
          count: fc.integer({ min: 1, max: 8 }),
          min_success_rate: fc.double({ min: 0, max: 1, noNaN: true }),
          then: fc.constantFrom('continue' as const, 'pause' as const),
        }),
        fc.record({
          percent: fc.integer({ min: 1, max: 50 }),
          min_success_rate: fc.double({ min: 0, max: 1, noNaN: true }),
          then: fc.constantFrom('continue' as const, 'pause' as const),
        }),
      ),
      abort: fc.oneof(
        fc.record({
          failure_rate: fc.double({ min: 0.05, max: 1, noNaN: true }),
          min_finished: fc.integer({ min: 1, max: 20 }),
        }),
        fc.array(
          fc.oneof(
            fc.record({
              on: fc.constantFrom('fail' as const, 'timed_out' as const, 'any' as const),
              rate: fc.double({ min: 0.05, max: 1, noNaN: true }),
              min_finished: fc.integer({ min: 1, max: 20 }),
            }),
            fc.record({
              on: fc.constantFrom('fail' as const, 'timed_out' as const, 'any' as const),
              count: fc.integer({ min: 1, max: 10 }),
              min_finished: fc.integer({ min: 1, max: 20 }),
            }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
      ),
      stages: fc.array(stageArbitrary, { minLength: 1, maxLength: 3 }),
      ramp: fc.record({
        start_per_minute: fc.integer({ min: 30, max: 300 }),
        factor: fc.double({ min: 1.1, max: 4, noNaN: true }),
        every_succeeded: fc.integer({ min: 1, max: 10 }),
        max_per_minute: fc.integer({ min: 300, max: 3_000 }),
      }),
      approval: fc.record({ required: fc.boolean() }),
      end_at: fc.integer({ min: 5, max: 400 }).map((seconds) => new Date(1_000_000 + seconds * 1000).toISOString()),
      on_end: fc.constantFrom('stop' as const, 'cancel' as const),
      // Relative to the start (the driver's clock starts at 1,000,000 ms).
      continuous: fc.record({
        until: fc.integer({ min: 1, max: 300 }).map((seconds) => new Date(1_000_000 + seconds * 1000).toISOString()),
        check_interval_seconds: fc.integer({ min: 10, max: 60 }),
      }),
    },
    { requiredKeys: [] },
  )
  .map((rollout) => {
    // The schema refuses these together; the model need not meet them.
    const sound = { ...rollout };
    if (sound.canary && sound.stages) delete sound.stages;
    if (sound.rate_per_minute && sound.ramp) delete sound.ramp;
    if (sound.on_end && !sound.end_at) delete sound.on_end;
    return sound;
  });

const fleetArbitrary: fc.Arbitrary<WorldDevice[]> = fc
  .array(fc.record({ online: fc.boolean(), eligible: fc.boolean() }), { minLength: 0, maxLength: 60 })
  .map((devices) =>
    devices.map((device, index) => ({
      ...device,
      online: device.online || index % 3 !== 0,
      eligible: device.eligible || index % 4 !== 0,
      deviceId: index.toString(16).padStart(24, '0'),
      uniqueId: `SN-${index}`,
    })),
  );

const approver = { user_id: 'ffffffffffffffffffffff09', email: 'approver@example.com', role: 'operator' };

// Runs the model as the workflow does (a turn: look after the rows, load pages, launch what the
// window, pace and stage allow, move on) against the in-memory world, checking after every turn.
class Driver {
  model: RolloutModel;
  readonly startedAt = 1_000_000;
  now = this.startedAt;
  ended: TerminalBulkStatus | null = null;
  private readonly plan;

  constructor(
    readonly world: RolloutWorld,
    readonly rollout: Rollout,
  ) {
    this.plan = planOf(rollout);
    this.model = new RolloutModel(this.plan, freshRolloutState(this.plan));
    const eligible = world.devices.filter((device) => device.eligible);
    this.model.started(this.startedAt, world.devices.length, {
      eligible: eligible.length,
      onlineEligible: eligible.filter((device) => device.online).length,
    });
  }

  // A turn ends when nothing more is due now; one that never does would spin the workflow.
  turn(): void {
    for (let guard = 0; guard < 200; guard++) if (this.ended || !this.step()) return;
    assert.fail('a turn of the rollout never settles (it would spin without time passing)');
  }

  private step(): boolean {
    const { model, world, now } = this;
    if (model.needsUnreachedSettled) {
      world.settleUnreached(model.stageIndex, this.startedAt);
      model.unreachedSettled(world.snapshot());
      return true;
    }
    if (model.checkDue(now)) {
      const newcomers = world.devices.filter(
        (device) => (device.joinedAt ?? 0) <= now && !world.rows.has(device.deviceId),
      );
      model.newcomersChecked(now, newcomers.length);
      return true;
    }
    if (model.tendDue(now)) {
      world.expire(now);
      model.tended(now, {
        snapshot: world.snapshot(),
        nextDueAt: world.nextDueAt(),
        connectedWaiting: world.hasConnectedWaiting(),
      });
      return true;
    }
    const page = model.pageWanted();
    if (page?.kind === 'stage') {
      model.stagePageLoaded(world.stagePage(page.limit, this.startedAt));
      return true;
    }
    if (page?.kind === 'fleet') {
      const asOf = model.sweepStartedAt ?? this.startedAt;
      const loaded = world.fleetPage(page.after, 7, asOf);
      const newDevices = model.sweepStartedAt === null ? 0 : loaded.devices.length;
      model.fleetPageLoaded({ ...loaded, newDevices });
      return true;
    }
    const connected = model.connectedLaunchable(now);
    if (connected > 0) model.connectedLaunched(now, world.connectWaiting(connected), world.hasConnectedWaiting());
    const { count, deadlineAt } = model.launchable(now);
    const record = model.record();
    for (const device of model.launch(now, count)) {
      assert.equal(record.phase, 'running', 'launches only while running');
      assert.equal(record.pausedBy, null, 'no launch while paused');
      assert.notEqual(record.stage.phase, 'approval', 'no launch while an approval is awaited');
      const end = this.plan.end;
      assert.ok(!end || now < end.at, 'no launch after the end time');
      world.launch(device, model.stageIndex, deadlineAt ?? now + this.plan.deadlineMilliseconds, now);
    }
    this.ended = model.advance(now);
    // The workflow's end marks the model ended, stores it and reads the rows' counts once more.
    if (this.ended) {
      model.ended(this.ended);
      model.counted(world.snapshot());
    }
    return count > 0 || connected > 0;
  }

  check(): void {
    const { world } = this;
    assert.ok(
      world.onlineWaiting() + world.launches.length <= this.plan.maxInFlight,
      `online devices waiting (${world.onlineWaiting()}) + launches (${world.launches.length}) within max_in_flight ${this.plan.maxInFlight}`,
    );
    const launched = world.launchLog.map((entry) => entry.deviceId);
    assert.equal(new Set(launched).size, launched.length, 'no device launched twice');
    if (this.plan.ratePerMinute !== null) this.checkPace();
    if (!this.ended) return;
    assert.equal(world.waitingRows(), 0, 'an ended rollout has no device waiting');
    assert.equal(world.launches.length, 0, 'an ended rollout has no launch running');
  }

  // Over any second, ten seconds or minute, at most the rate's share plus what late timers may
  // catch up (two seconds' worth) and the one the pace starts with.
  private checkPace(): void {
    const times = this.world.launchLog.map((entry) => entry.at);
    const rate = this.plan.ratePerMinute!;
    for (const window of [1_000, 10_000, 60_000]) {
      const allowed = Math.floor((rate * (window + 2_000)) / 60_000) + 1;
      for (let first = 0, last = 0; last < times.length; last++) {
        while (times[last]! - times[first]! >= window) first++;
        assert.ok(last - first + 1 <= allowed, `${last - first + 1} launches within ${window} ms at ${rate}/min`);
      }
    }
  }
}

function apply(driver: Driver, step: Step): void {
  const { world } = driver;
  switch (step.kind) {
    case 'tick':
      driver.now += step.milliseconds;
      return;
    case 'completeLaunch':
      if (world.launches.length > 0) driver.model.launched(world.completeLaunch(step.pick % world.launches.length));
      return;
    case 'answer': {
      const waiting = [...world.rows].filter(([, row]) => row.status === 'sent').map(([deviceId]) => deviceId);
      if (waiting.length > 0 && world.answer(waiting[step.pick % waiting.length]!, step.status))
        driver.model.counted(world.snapshot());
      return;
    }
    case 'staleSnapshot': {
      const stale = world.snapshots.at(-1 - step.back);
      if (stale) driver.model.counted(stale);
      return;
    }
    case 'toggleOnline': {
      const device = world.devices[step.pick % Math.max(1, world.devices.length)];
      if (device) device.online = !device.online;
      if (device?.online) driver.model.devicesConnected();
      return;
    }
    case 'pause':
      driver.model.pause();
      return;
    case 'resume':
      driver.model.resume(driver.now);
      return;
    case 'cancel':
      driver.model.halt('cancel', { code: 'canceled', message: 'test' });
      return;
    case 'crash':
      driver.model = new RolloutModel(planOf(driver.rollout), driver.model.snapshot());
      return;
    case 'approve':
      driver.model.approve(approver, driver.now, null);
      return;
    case 'reject':
      driver.model.reject(approver, driver.now, 'no');
      return;
    case 'join': {
      const index = world.devices.length;
      world.devices.push({
        deviceId: `f${index.toString(16).padStart(23, '0')}`,
        uniqueId: `SN-J${index}`,
        online: step.online,
        eligible: true,
        joinedAt: driver.now + 1,
      });
      return;
    }
  }
}

// After the steps: devices answer, launches finish, time passes, until the rollout ends.
function settle(driver: Driver): void {
  for (let round = 0; round < 400 && !driver.ended; round++) {
    const { world } = driver;
    while (world.launches.length > 0) driver.model.launched(world.completeLaunch(0));
    const waiting = [...world.rows].filter(([, row]) => row.status === 'sent').map(([deviceId]) => deviceId);
    for (const deviceId of waiting.slice(0, 3)) world.answer(deviceId, round % 5 === 0 ? 'fail' : 'success');
    driver.model.counted(world.snapshot());
    if (driver.model.record().pausedBy) driver.model.resume(driver.now);
    if (driver.model.awaitingApproval) driver.model.approve(approver, driver.now, null);
    // Enough rounds to pass any deadline (at most 600 s) and its grace.
    driver.now += 5_000;
    driver.turn();
    driver.check();
  }
}

describe('rollout model against random fleets, steering, answers and crashes (property)', () => {
  it('when anything happens in any order, then the window, pace and stops hold, no device is sent to twice, and the rollout ends with every device final exactly once', () => {
    fc.assert(
      fc.property(
        fleetArbitrary,
        rolloutArbitrary,
        fc.array(stepArbitrary, { maxLength: 150 }),
        (fleet, rollout, steps) => {
          const plan = planOf(rollout);
          const world = new RolloutWorld(structuredClone(fleet), plan.answerGraceMilliseconds);
          const driver = new Driver(world, rollout);
          driver.turn();
          for (const step of steps) {
            const stopped = driver.model.stop !== null;
            const launchesBefore = world.launchLog.length;
            apply(driver, step);
            driver.turn();
            driver.check();
            if (stopped) assert.equal(world.launchLog.length, launchesBefore, 'nothing is launched after a stop');
          }
          settle(driver);
          assert.ok(driver.ended, `the rollout ended (phase ${driver.model.phase}, ${world.waitingRows()} waiting)`);
          const walked = world.devices.filter((device) => (device.joinedAt ?? 0) <= driver.startedAt);
          for (const device of walked)
            assert.ok(world.rows.has(device.deviceId), `${device.uniqueId} of the fleet at the start has a row`);
          assert.ok(
            [...world.rows.values()].every((row) => isFinalDeviceStatus(row.status)),
            'every row is final',
          );
          const counts = driver.model.counts;
          for (const status of ['success', 'fail', 'timed_out', 'skipped', 'canceled'] as const) {
            const rows = [...world.rows.values()].filter((row) => row.status === status).length;
            assert.equal(counts[status], rows, `${status}: the counts are the rows`);
          }
          if (driver.model.stop?.kind === 'cancel') assert.equal(driver.ended, 'canceled');
        },
      ),
      {
        numRuns: 500,
        verbose: 1,
        reporter: (details) => {
          if (details.failed)
            throw new Error(`${String(details.errorInstance)}\n${JSON.stringify(details.counterexample)}`);
        },
      },
    );
  });
});
