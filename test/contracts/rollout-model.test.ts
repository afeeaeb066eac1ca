import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rollout } from '../../contracts/fleet-action.schema';
import { freshRolloutState, RolloutModel } from '../../contracts/rollout-model';
import { planOf } from '../../contracts/rollout-plan';
import { RolloutWorld, type WorldDevice } from './rollout-world';

const start = 1_000_000;

function fleetOf(count: number, options: { offline?: number[] } = {}): WorldDevice[] {
  return Array.from({ length: count }, (_, index) => ({
    deviceId: index.toString(16).padStart(24, '0'),
    uniqueId: `SN-${index}`,
    online: !options.offline?.includes(index),
    eligible: true,
  }));
}

// A model started over an in-memory world, and one turn of the workflow's loop: load the page it
// wants, launch what it allows (each launch writes its row at once), and move on.
function rollout(rolloutControls: Rollout, devices: WorldDevice[]) {
  const plan = planOf(rolloutControls);
  const world = new RolloutWorld(devices, plan.answerGraceMilliseconds);
  const model = new RolloutModel(plan, freshRolloutState(plan));
  model.started(start, devices.length, {
    eligible: devices.length,
    onlineEligible: devices.filter((device) => device.online).length,
  });
  const launched: string[] = [];
  // One step: look after the rows if due, load the page it wants, launch what it allows (each
  // launch writes its row at once); true while it did something.
  const step = (now: number) => {
    if (model.tendDue(now)) {
      world.expire(now);
      model.tended(now, { snapshot: world.snapshot(), nextDueAt: world.nextDueAt(), connectedWaiting: false });
      return true;
    }
    const page = model.pageWanted();
    if (page?.kind === 'fleet') model.fleetPageLoaded({ ...world.fleetPage(page.after, 50, start), newDevices: 0 });
    if (page?.kind === 'stage') model.stagePageLoaded(world.stagePage(page.limit, start));
    if (page) return true;
    const { count, deadlineAt } = model.launchable(now);
    for (const device of model.launch(now, count)) {
      world.launch(device, model.stageIndex, deadlineAt ?? now + plan.deadlineMilliseconds, now);
      launched.push(device.deviceId);
      model.launched(world.completeLaunch(0));
    }
    model.counted(world.snapshot());
    return count > 0;
  };
  // A turn of the workflow's loop: steps until nothing more is due now, then moves on.
  const turn = (now: number) => {
    for (let guard = 0; guard < 100 && step(now); guard++);
    return model.advance(now);
  };
  const answerAll = (status: 'success' | 'fail') => {
    for (const [deviceId, row] of world.rows) if (row.status === 'sent') world.answer(deviceId, status);
    model.counted(world.snapshot());
  };
  return { plan, world, model, turn, launched, answerAll };
}

describe('rollout model scenarios', () => {
  it('when a rate is set, then the first turn sends one device and the next goes one interval later', () => {
    const { turn, launched } = rollout({ rate_per_minute: 6 }, fleetOf(12));
    turn(start);
    assert.equal(launched.length, 1, 'one, not the whole page');
    turn(start + 5_000);
    assert.equal(launched.length, 1, 'the next is due 10 s after the first');
    turn(start + 10_000);
    assert.equal(launched.length, 2);
  });

  it('when max_in_flight devices wait for answers, then nothing more is sent until some answer', () => {
    const { turn, launched, answerAll } = rollout({ max_in_flight: 3 }, fleetOf(10));
    turn(start);
    assert.equal(launched.length, 3);
    turn(start + 1);
    assert.equal(launched.length, 3, 'the window is full');
    answerAll('success');
    turn(start + 2);
    assert.equal(launched.length, 6);
  });

  it('when the first devices wait for their answers, then the next look at the rows is the safety look seconds after the start, not at once', () => {
    const { model, world } = rollout({ max_in_flight: 3 }, fleetOf(10));
    // The workflow's first turn: the page, then a launch; the turn ends there.
    model.fleetPageLoaded({ ...world.fleetPage(null, 50, start), newDevices: 0 });
    const devices = model.launch(start, model.launchable(start).count);
    assert.equal(devices.length, 3);
    devices.forEach(() => model.launched('sent'));
    assert.equal(model.tendDue(start + 1), false);
    // Due at once, the workflow sleeps through a timer (about a second on the dev server) and
    // answers arriving meanwhile wait for it: a rollout sent one window a second.
    assert.equal(model.nextWakeAt(start + 1), start + 5_000);
  });

  it('when devices are offline at dispatch, then they wait outside the window and the online ones go first', () => {
    const { turn, launched, world } = rollout({ max_in_flight: 2 }, fleetOf(6, { offline: [0, 1, 2, 3] }));
    turn(start);
    assert.equal(launched.length, 6, 'four enqueued do not take the window of two');
    assert.equal([...world.rows.values()].filter((row) => row.status === 'enqueued').length, 4);
  });

  it('when paused, then no device is sent and nothing wakes the rollout until resume', () => {
    const { model, turn, launched, answerAll } = rollout({ max_in_flight: 2 }, fleetOf(6));
    turn(start);
    answerAll('success');
    model.pause();
    // Past the last look the rows asked for (the deadline and grace of the devices sent to).
    turn(start + 700_000);
    assert.equal(launched.length, 2);
    assert.equal(model.nextWakeAt(start + 700_000), null, 'an idle paused rollout sleeps until an event');
    model.resume(start + 800_000);
    turn(start + 801_000);
    assert.equal(launched.length, 4);
  });

  it('when the canary passes, then the rest follows; with then: pause, it waits for resume', () => {
    const { model, turn, launched, answerAll } = rollout(
      { canary: { count: 2, min_success_rate: 1, then: 'pause' } },
      fleetOf(8),
    );
    turn(start);
    assert.equal(launched.length, 2, 'the canary only');
    turn(start + 1);
    assert.equal(launched.length, 2, 'the rest waits for the canary to answer');
    answerAll('success');
    turn(start + 2);
    assert.equal(model.record().pausedBy, 'gate');
    assert.equal(launched.length, 2);
    model.resume(start + 3);
    turn(start + 4);
    assert.equal(launched.length, 8);
  });

  it('when the canary fails, then the rollout aborts, sends nothing more and ends aborted once unreached devices are settled', () => {
    const { model, world, turn, launched, answerAll } = rollout(
      { canary: { count: 2, min_success_rate: 1, then: 'continue' } },
      fleetOf(8),
    );
    turn(start);
    answerAll('fail');
    turn(start + 1);
    assert.equal(model.stop?.kind, 'abort');
    assert.equal(model.stop?.reason?.code, 'canary_below_success_rate');
    assert.equal(model.needsUnreachedSettled, true);
    world.settleUnreached(model.stageIndex, start);
    model.unreachedSettled(world.snapshot());
    assert.equal(turn(start + 2), 'aborted');
    assert.equal(launched.length, 2);
    assert.equal(model.counts.canceled, 6);
  });

  it('when canceled while devices wait, then it ends canceled only after they answered or timed out', () => {
    const { model, world, turn, answerAll } = rollout({ max_in_flight: 2, device_timeout_seconds: 10 }, fleetOf(5));
    turn(start);
    model.halt('cancel', { code: 'canceled', message: 'by an operator' });
    assert.equal(model.publishing, false, 'no re-send and no last copy after a stop');
    world.settleUnreached(model.stageIndex, start);
    model.unreachedSettled(world.snapshot());
    assert.equal(turn(start + 1), null, 'two devices still have the command');
    answerAll('success');
    assert.equal(turn(start + 2), 'canceled');
    assert.equal(model.counts.success, 2);
    assert.equal(model.counts.canceled, 3);
  });

  it('when an older count snapshot arrives late, then the model keeps the newer one', () => {
    const { model, world, turn, answerAll } = rollout({}, fleetOf(3));
    turn(start);
    const early = world.snapshot();
    answerAll('success');
    model.counted(early);
    assert.equal(model.counts.success, 3);
  });

  it('when the model is carried over a continue-as-new, then the copy needs no structuredClone and goes on alike', () => {
    const { model, turn, launched } = rollout({ max_in_flight: 2 }, fleetOf(4));
    turn(start);
    const clone = globalThis.structuredClone;
    Reflect.deleteProperty(globalThis, 'structuredClone');
    try {
      const carried = new RolloutModel(model.plan, model.snapshot());
      assert.deepEqual(carried.record(), model.record());
      assert.equal(carried.launchable(start + 1).count, model.launchable(start + 1).count);
    } finally {
      globalThis.structuredClone = clone;
    }
    assert.equal(launched.length, 2);
  });
});
