import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fleetActionRequestSchema } from '../../contracts/fleet-action.schema';
import { dispatchStateAt, instantOf, windowStateAt, type MaintenanceWindow } from '../../contracts/maintenance-windows';

const at = (iso: string) => new Date(iso).getTime();
const iso = (instant: number) => new Date(instant).toISOString();
const nightly: MaintenanceWindow = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  start: '02:30',
  end: '04:00',
  timezone: 'Europe/Berlin',
};

describe('maintenance windows', () => {
  it('when the instant is before a window, then it waits until the window opens in its time zone', () => {
    const state = windowStateAt([nightly], at('2026-11-23T12:00:00Z'));
    assert.deepEqual(state.open ? null : iso(state.opensAt), '2026-11-24T01:30:00.000Z');
  });

  it('when a window ends at its start time, then it lasts 24 hours (the schema takes it as such)', () => {
    const allDay: MaintenanceWindow = { days: ['mon'], start: '02:00', end: '02:00', timezone: 'Europe/Berlin' };
    const state = windowStateAt([allDay], at('2026-11-23T12:00:00Z'));
    assert.equal(state.open ? iso(state.closesAt) : null, '2026-11-24T01:00:00.000Z');
    const body = { action: 'add_tags', tags: ['x'], rollout: { windows: [allDay] } };
    assert.equal(fleetActionRequestSchema.safeParse(body).success, true);
  });

  it('when the instant is inside a window, then it says when the window closes', () => {
    const state = windowStateAt([nightly], at('2026-11-24T02:00:00Z'));
    assert.equal(state.open ? iso(state.closesAt) : null, '2026-11-24T03:00:00.000Z');
  });

  it('when summer time starts, then the window keeps its local hours and moves an hour in UTC', () => {
    const winter = windowStateAt([nightly], at('2026-03-28T12:00:00Z'));
    const summer = windowStateAt([nightly], at('2026-03-29T12:00:00Z'));
    assert.equal(winter.open ? null : iso(winter.opensAt), '2026-03-29T01:00:00.000Z');
    assert.equal(summer.open ? null : iso(summer.opensAt), '2026-03-30T00:30:00.000Z');
  });

  it('when the start time does not exist (clocks jump over it), then the window opens as the clocks jump', () => {
    const date = { year: 2026, month: 3, day: 29 };
    assert.equal(iso(instantOf(date, '02:30', 'Europe/Berlin')), '2026-03-29T01:00:00.000Z');
  });

  it('when the start time happens twice (clocks go back), then the window opens at the first', () => {
    const date = { year: 2026, month: 10, day: 25 };
    assert.equal(iso(instantOf(date, '02:30', 'Europe/Berlin')), '2026-10-25T00:30:00.000Z');
  });

  it('when a window ends before it starts, then it closes on the next day', () => {
    const overnight: MaintenanceWindow = { days: ['fri'], start: '22:00', end: '06:00', timezone: 'America/New_York' };
    const state = windowStateAt([overnight], at('2026-11-28T08:00:00Z'));
    assert.equal(state.open ? iso(state.closesAt) : null, '2026-11-28T11:00:00.000Z');
  });

  it('when only some days are listed, then other days are skipped', () => {
    const weekend: MaintenanceWindow = { days: ['sat', 'sun'], start: '10:00', end: '12:00', timezone: 'UTC' };
    const state = windowStateAt([weekend], at('2026-11-23T11:00:00Z'));
    assert.equal(state.open ? null : iso(state.opensAt), '2026-11-28T10:00:00.000Z');
  });

  it('when two windows touch, then they count as one', () => {
    const first: MaintenanceWindow = { days: ['mon'], start: '01:00', end: '02:00', timezone: 'UTC' };
    const second: MaintenanceWindow = { days: ['mon'], start: '02:00', end: '03:00', timezone: 'UTC' };
    const state = windowStateAt([first, second], at('2026-11-23T01:30:00Z'));
    assert.equal(state.open ? iso(state.closesAt) : null, '2026-11-23T03:00:00.000Z');
  });

  it('when a window is about to close, then nothing more is dispatched until the next one', () => {
    const state = dispatchStateAt([nightly], at('2026-11-24T02:59:30Z'), 600_000);
    assert.equal(state.dispatch ? null : iso(state.until), '2026-11-25T01:30:00.000Z');
  });

  it('when inside a window, then the deadline is cut at its end', () => {
    const state = dispatchStateAt([nightly], at('2026-11-24T02:00:00Z'), 600_000);
    assert.equal(state.dispatch ? iso(state.deadlineAt!) : null, '2026-11-24T03:00:00.000Z');
  });

  it('when there are no windows, then devices are dispatched with their own deadline', () => {
    assert.deepEqual(dispatchStateAt(undefined, at('2026-11-24T02:00:00Z'), 600_000), {
      dispatch: true,
      deadlineAt: null,
    });
  });
});
