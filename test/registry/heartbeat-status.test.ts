import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heartbeatStatus } from '../../registry/heartbeat-status';

const now = new Date('2026-01-01T12:00:00Z');
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);

test('when a device never reported, then it is never_reported', () => {
  assert.equal(heartbeatStatus(null, 60, now), 'never_reported');
});

test('when the last heartbeat is at most 1.5 periods old, then the device is online', () => {
  assert.equal(heartbeatStatus(secondsAgo(0), 60, now), 'online');
  assert.equal(heartbeatStatus(secondsAgo(90), 60, now), 'online');
});

test('when the last heartbeat is over 1.5 and at most 3 periods old, then the device is idle', () => {
  assert.equal(heartbeatStatus(secondsAgo(91), 60, now), 'idle');
  assert.equal(heartbeatStatus(secondsAgo(180), 60, now).toString(), 'idle');
});

test('when the last heartbeat is over 3 periods old, then the device is offline', () => {
  assert.equal(heartbeatStatus(secondsAgo(181), 60, now), 'offline');
  assert.equal(heartbeatStatus(secondsAgo(181).toISOString(), 60, now), 'offline');
});
