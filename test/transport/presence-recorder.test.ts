import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Queryable } from '../../registry/database';
import { presenceStatusSql } from '../../registry/presence';
import { startSimulatedFleet } from '../../simulator/device-fleet';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import { connectDeviceTransport } from '../../transport/device-transport';
import { createPresenceRecorder, type PresenceRecorder } from '../../transport/presence-recorder';
import { startEmbeddedHarness, type BrokerHarness } from '../../harness/broker-harness';
import { silentLogger, waitFor } from '../support/transport-fixtures';

interface PresenceRow {
  id: string;
  last_seen_at: Date | null;
  connected: boolean | null;
  presence_changed_at: Date | null;
  status: string;
}

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds));

describe('presence recorder', () => {
  let harness: BrokerHarness;
  let statements: string[];
  let counted: Queryable;
  const connectedReports: string[][] = [];

  before(async () => {
    harness = await startEmbeddedHarness();
    statements = [];
    counted = {
      query: (sql, params) => {
        statements.push(sql);
        return harness.database.query(sql, params);
      },
    };
  });
  after(() => harness.close());

  // A recorder that flushes only when told, so each test decides what lands in one flush.
  const recorder = (): PresenceRecorder =>
    createPresenceRecorder({
      database: counted,
      logger: silentLogger,
      flushIntervalMs: 3_600_000,
      onDevicesConnected: (deviceIds) => void connectedReports.push([...deviceIds].sort()),
    });
  const rowOf = async (device: SimulatedDevice): Promise<PresenceRow> =>
    (
      await harness.database.query<PresenceRow>(
        `select d.id, d.last_seen_at, d.connected, d.presence_changed_at, ${presenceStatusSql('d')} as status
           from devices d where d.id = $1`,
        [device.deviceId],
      )
    )[0]!;

  it('when devices heartbeat through the broker, then last_seen_at is written in batches and never moves back', async () => {
    const { devices } = await harness.addCompany(20);
    const heard = new Set<string>();
    const presence = createPresenceRecorder({ database: counted, logger: silentLogger, flushIntervalMs: 50 });
    const transport = await connectDeviceTransport({
      url: harness.serviceUrl,
      ...harness.service,
      clientId: 'service-presence',
      logger: silentLogger,
      onAcknowledgement: () => undefined,
      onHeartbeat: (heartbeat) => {
        heard.add(heartbeat.deviceId);
        presence.record(heartbeat);
      },
      onPresence: (received) => presence.recordPresence(received),
    });
    const fleet = await startSimulatedFleet({
      url: harness.deviceUrl,
      devices,
      behaviour: { heartbeatScale: 3000, defaultHeartbeatPeriodSeconds: 60 },
      logger: silentLogger,
    });
    const seen = async () =>
      (await harness.database.query<{ count: number }>('select count(last_seen_at)::int as count from devices'))[0]!
        .count;
    // Stopped whatever the assertions say: a fleet heartbeating on would hold the file open.
    try {
      await waitFor(() => heard.size === devices.length, 5000, 'a heartbeat from every device');
      await presence.flush();
      assert.equal(await seen(), 20);
      const before = (await rowOf(devices[0]!)).last_seen_at!;
      presence.record({ ...devices[0]!, receivedAt: new Date(0) });
      await presence.flush();
      // The device keeps heartbeating (every 20 ms), so its time may move on, never back.
      const after = (await rowOf(devices[0]!)).last_seen_at!;
      assert.ok(after.getTime() >= before.getTime(), `${after.toISOString()} is before ${before.toISOString()}`);
    } finally {
      await fleet.stop();
      await presence.close();
      await transport.close();
    }
  });

  it('when many devices are heard many times between flushes, then one flush is one statement', async () => {
    const { devices } = await harness.addCompany(50);
    const presence = recorder();
    for (let second = 0; second < 5; second += 1) {
      for (const device of devices) presence.record({ ...device, receivedAt: at(second) });
      for (const device of devices) presence.recordPresence({ ...device, online: true, receivedAt: at(second) });
    }
    statements.length = 0;
    await presence.close();
    assert.equal(statements.length, 1);
    const rows = await Promise.all(devices.map(rowOf));
    assert.ok(rows.every((row) => row.connected === true && row.last_seen_at?.getTime() === at(4).getTime()));
  });

  it('when one flush holds several events of a device, then the latest by receipt time wins', async () => {
    const [wentAway, cameBack, lateOffline] = (await harness.addCompany(3)).devices as [
      SimulatedDevice,
      SimulatedDevice,
      SimulatedDevice,
    ];
    const presence = recorder();
    presence.record({ ...wentAway, receivedAt: at(1) });
    presence.recordPresence({ ...wentAway, online: false, receivedAt: at(2) });
    presence.recordPresence({ ...cameBack, online: false, receivedAt: at(1) });
    presence.recordPresence({ ...cameBack, online: true, receivedAt: at(2) });
    presence.recordPresence({ ...lateOffline, online: true, receivedAt: at(2) });
    presence.recordPresence({ ...lateOffline, online: false, receivedAt: at(1) });
    await presence.close();
    const [away, back, late] = await Promise.all([wentAway, cameBack, lateOffline].map(rowOf));
    assert.deepEqual([away!.connected, away!.presence_changed_at, away!.last_seen_at], [false, at(2), at(1)]);
    assert.deepEqual([back!.connected, back!.presence_changed_at], [true, at(2)]);
    assert.deepEqual([late!.connected, late!.presence_changed_at], [true, at(2)]);
  });

  it('when an older event arrives in a later flush, then it neither changes the device nor moves presence_changed_at back', async () => {
    const [device] = (await harness.addCompany(1)).devices as [SimulatedDevice];
    const presence = recorder();
    presence.recordPresence({ ...device, online: false, receivedAt: at(10) });
    await presence.flush();
    presence.recordPresence({ ...device, online: true, receivedAt: at(5) });
    presence.record({ ...device, receivedAt: at(8) });
    await presence.close();
    const row = await rowOf(device);
    assert.deepEqual([row.connected, row.presence_changed_at, row.last_seen_at], [false, at(10), at(8)]);
    assert.equal(row.status, 'offline');
  });

  it('when a connected device heartbeats, then presence_changed_at keeps the time it came online; a presence message refreshes it', async () => {
    const [device] = (await harness.addCompany(1)).devices as [SimulatedDevice];
    const presence = recorder();
    presence.record({ ...device, receivedAt: at(1) });
    await presence.flush();
    presence.record({ ...device, receivedAt: at(20) });
    await presence.flush();
    assert.deepEqual((await rowOf(device)).presence_changed_at, at(1));
    presence.recordPresence({ ...device, online: true, receivedAt: at(30) });
    await presence.close();
    assert.deepEqual((await rowOf(device)).presence_changed_at, at(30));
  });

  it('when devices become connected, then onDevicesConnected names exactly those after the flush', async () => {
    const [fresh, stale, steady, leaving] = (await harness.addCompany(4)).devices as [
      SimulatedDevice,
      SimulatedDevice,
      SimulatedDevice,
      SimulatedDevice,
    ];
    const presence = recorder();
    const now = Date.now();
    presence.record({ ...steady, receivedAt: new Date(now - 1000) });
    presence.recordPresence({ ...leaving, online: true, receivedAt: new Date(now - 1000) });
    await presence.flush();
    await harness.database.query(
      `update devices set last_seen_at = now() - interval '1 hour', connected = true,
              presence_changed_at = now() - interval '1 hour', heartbeat_period = 60 where id = $1`,
      [stale.deviceId],
    );
    connectedReports.length = 0;
    presence.recordPresence({ ...fresh, online: true, receivedAt: new Date(now) });
    presence.record({ ...stale, receivedAt: new Date(now) });
    presence.record({ ...steady, receivedAt: new Date(now) });
    presence.recordPresence({ ...leaving, online: false, receivedAt: new Date(now) });
    await presence.flush();
    await waitFor(() => connectedReports.length === 1, 2000, 'the connected devices');
    assert.deepEqual(connectedReports, [[fresh.deviceId, stale.deviceId].sort()]);
    await presence.close();
    assert.equal(connectedReports.length, 1, 'nothing reported for an empty flush');
  });
});
