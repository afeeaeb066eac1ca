import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulatedFleet } from '../../simulator/device-fleet';
import { connectDeviceTransport } from '../../transport/device-transport';
import { createPresenceRecorder } from '../../transport/presence-recorder';
import { startEmbeddedHarness, type BrokerHarness } from '../../harness/broker-harness';
import { silentLogger, waitFor } from '../support/transport-fixtures';

describe('device presence from heartbeats', () => {
  let harness: BrokerHarness;

  before(async () => {
    harness = await startEmbeddedHarness();
  });
  after(() => harness.close());

  it('when devices heartbeat, then last_seen_at is written in batches and never moves back', async () => {
    const { devices } = await harness.addCompany(20);
    const heard = new Set<string>();
    const presence = createPresenceRecorder({ database: harness.database, logger: silentLogger, flushIntervalMs: 50 });
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
    await waitFor(() => heard.size === devices.length, 5000, 'a heartbeat from every device');
    await presence.flush();
    assert.equal(await seen(), 20);
    presence.record({ ...devices[0]!, receivedAt: new Date(0) });
    await presence.flush();
    const [row] = await harness.database.query<{ last_seen_at: Date }>(
      'select last_seen_at from devices where id = $1',
      [devices[0]!.deviceId],
    );
    assert.ok(new Date(row!.last_seen_at).getTime() > 0);
    await fleet.stop();
    await presence.close();
    await transport.close();
  });
});
