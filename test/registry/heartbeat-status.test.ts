import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { heartbeatStatus, type HeartbeatStatus } from '../../registry/heartbeat-status';
import { presenceStatus, presenceStatusSql, type PresenceFields } from '../../registry/presence';
import type { TestDatabase } from '../../harness/test-database';
import { openTestDatabase } from '../support/test-database';

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

// Every case of the presence-aware rule, each with the status it must give.
const device = (fields: Partial<PresenceFields>): PresenceFields => ({
  last_seen_at: null,
  heartbeat_period: 60,
  connected: null,
  presence_changed_at: null,
  ...fields,
});
const cases: [string, PresenceFields, HeartbeatStatus][] = [
  ['never heard of', device({}), 'never_reported'],
  ['no presence, fresh heartbeat', device({ last_seen_at: secondsAgo(10) }), 'online'],
  ['no presence, heartbeat 2 periods old', device({ last_seen_at: secondsAgo(120) }), 'idle'],
  ['no presence, heartbeat 4 periods old', device({ last_seen_at: secondsAgo(240) }), 'offline'],
  [
    'said offline a second ago, fresh heartbeat before',
    device({ last_seen_at: secondsAgo(2), connected: false, presence_changed_at: secondsAgo(1) }),
    'offline',
  ],
  ['said offline, never heartbeated', device({ connected: false, presence_changed_at: secondsAgo(1) }), 'offline'],
  [
    'connected and heartbeating',
    device({ last_seen_at: secondsAgo(30), connected: true, presence_changed_at: secondsAgo(3000) }),
    'online',
  ],
  [
    'said online a second ago, no heartbeat yet',
    device({ connected: true, presence_changed_at: secondsAgo(1) }),
    'online',
  ],
  [
    'said online just now, heartbeats long stale',
    device({ last_seen_at: secondsAgo(9000), connected: true, presence_changed_at: secondsAgo(5) }),
    'online',
  ],
  [
    'connected but silent for 2 periods',
    device({ last_seen_at: secondsAgo(120), connected: true, presence_changed_at: secondsAgo(600) }),
    'idle',
  ],
  [
    'connected but silent for over 3 periods',
    device({ last_seen_at: secondsAgo(181), connected: true, presence_changed_at: secondsAgo(600) }),
    'offline',
  ],
  ['connected at exactly 1.5 periods', device({ connected: true, presence_changed_at: secondsAgo(90) }), 'online'],
  ['connected at exactly 3 periods', device({ connected: true, presence_changed_at: secondsAgo(180) }), 'idle'],
];

describe('derived status with presence', () => {
  let database: TestDatabase;
  before(async () => {
    database = await openTestDatabase();
  });
  after(() => database.close());

  test('when a device said offline or its will fired, then it is offline at once; connected devices follow the heartbeat age; never heard: never_reported', () => {
    for (const [name, fields, expected] of cases) assert.equal(presenceStatus(fields, now), expected, name);
  });

  test('when the SQL form evaluates the same devices, then it gives the same status as the TS form', async () => {
    const rows = await database.query<{ status: HeartbeatStatus }>(
      `select ${presenceStatusSql('d', '$6::timestamptz')} as status
         from unnest($1::timestamptz[], $2::int[], $3::boolean[], $4::timestamptz[], $5::int[])
           as d(last_seen_at, heartbeat_period, connected, presence_changed_at, position)
        order by d.position`,
      [
        cases.map(([, fields]) => fields.last_seen_at && new Date(fields.last_seen_at).toISOString()),
        cases.map(([, fields]) => fields.heartbeat_period),
        cases.map(([, fields]) => fields.connected),
        cases.map(([, fields]) => fields.presence_changed_at && new Date(fields.presence_changed_at).toISOString()),
        cases.map((_, position) => position),
        now.toISOString(),
      ],
    );
    assert.deepEqual(
      rows.map((row) => row.status),
      cases.map(([, , expected]) => expected),
    );
  });
});
