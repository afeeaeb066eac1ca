import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { offlineWill } from '../../contracts/device-protocol.schema';
import { deviceTopic } from '../../contracts/device-topics';
import type { HeartbeatStatus } from '../../registry/heartbeat-status';
import { presenceStatusSql } from '../../registry/presence';
import { startSimulatedFleet } from '../../simulator/device-fleet';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import { connectDeviceTransport, type DeviceTransport, type ReceivedPresence } from '../../transport/device-transport';
import { createPresenceRecorder, type PresenceRecorder } from '../../transport/presence-recorder';
import type { BrokerHarness } from '../../harness/broker-harness';
import { connectAsDevice, silentLogger, waitFor } from '../support/transport-fixtures';

// What the issue asks: a device's status follows its connection within 2 s of a graceful
// disconnect or a lost connection, measured through the broker, the service's transport and the
// recorder at its production flush interval (1 s) to the registry's derived status.
export const presenceDeadlineMs = 2000;

// A device as docs/device-protocol.md describes it, with a raw client: will, then online.
async function connectWithWill(url: string, device: SimulatedDevice) {
  const client = await connectAsDevice(url, device, {
    clean: true,
    will: {
      topic: deviceTopic(device, 'presence'),
      payload: Buffer.from(JSON.stringify(offlineWill)),
      qos: 1,
      retain: false,
    },
  });
  await client.publishAsync(deviceTopic(device, 'presence'), JSON.stringify({ online: true }), { qos: 1 });
  return client;
}

export function presenceTests(startHarness: () => Promise<BrokerHarness>): void {
  describe('device presence follows the connection', () => {
    let harness: BrokerHarness;
    let transport: DeviceTransport;
    let recorder: PresenceRecorder;
    const heard: ReceivedPresence[] = [];

    const statusOf = async (device: SimulatedDevice): Promise<HeartbeatStatus> =>
      (
        await harness.database.query<{ status: HeartbeatStatus }>(
          `select ${presenceStatusSql('d')} as status from devices d where d.id = $1`,
          [device.deviceId],
        )
      )[0]!.status;
    // Polls the registry until every device has the status; answers how long that took.
    const untilStatus = async (devices: SimulatedDevice[], status: HeartbeatStatus, since: number) => {
      const deadline = since + 10_000;
      for (;;) {
        const statuses = await Promise.all(devices.map(statusOf));
        if (statuses.every((current) => current === status)) return Date.now() - since;
        if (Date.now() > deadline) assert.fail(`still ${statuses.join(', ')} 10 s later, not ${status}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    before(async () => {
      harness = await startHarness();
      recorder = createPresenceRecorder({ database: harness.database, logger: silentLogger });
      transport = await connectDeviceTransport({
        url: harness.serviceUrl,
        ...harness.service,
        clientId: `service-${randomBytes(4).toString('hex')}`,
        sharedSubscriptionGroup: harness.sharedSubscriptionGroup,
        logger: silentLogger,
        onAcknowledgement: () => undefined,
        onHeartbeat: (received) => recorder.record(received),
        onPresence: (received) => {
          heard.push(received);
          recorder.recordPresence(received);
        },
      });
    });
    after(async () => {
      await transport.close();
      await recorder.close();
      await harness.close();
    });

    it('when simulated devices connect and then stop gracefully, then they are online, and offline within 2 s of the stop', async (context) => {
      const { devices } = await harness.addCompany(5);
      const fleet = await startSimulatedFleet({ url: harness.deviceUrl, devices, logger: silentLogger });
      await untilStatus(devices, 'online', Date.now()).catch(async (error: unknown) => {
        await fleet.stop();
        throw error;
      });
      const stopping = Date.now();
      const stats = await fleet.stop();
      const elapsed = await untilStatus(devices, 'offline', stopping);
      context.diagnostic(`${harness.name}: offline in the registry ${elapsed} ms after the disconnect`);
      assert.ok(elapsed <= presenceDeadlineMs, `offline after ${elapsed} ms`);
      assert.deepEqual([stats.presenceOnlineSent, stats.presenceOfflineSent], [5, 5]);
    });

    it("when a device's connection is lost (its socket destroyed), then its will makes it offline within 2 s", async (context) => {
      const [device] = (await harness.addCompany(1)).devices as [SimulatedDevice];
      const client = await connectWithWill(harness.deviceUrl, device);
      await untilStatus([device], 'online', Date.now());
      const killed = Date.now();
      (client.stream as Socket).destroy();
      const elapsed = await untilStatus([device], 'offline', killed);
      context.diagnostic(`${harness.name}: offline in the registry ${elapsed} ms after the disconnect`);
      assert.ok(elapsed <= presenceDeadlineMs, `offline after ${elapsed} ms`);
      const messages = heard.filter((received) => received.deviceId === device.deviceId);
      assert.deepEqual(
        messages.map((received) => received.online),
        [true, false],
      );
      await client.endAsync(true);
    });

    it('when a device disconnects cleanly without saying offline, then no will fires and it stays online', async () => {
      const [device] = (await harness.addCompany(1)).devices as [SimulatedDevice];
      const client = await connectWithWill(harness.deviceUrl, device);
      await waitFor(() => heard.some((received) => received.deviceId === device.deviceId), 5000, 'online');
      await client.endAsync();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.deepEqual(
        heard.filter((received) => received.deviceId === device.deviceId).map((received) => received.online),
        [true],
        'MQTT 3.1.1 sends no will on DISCONNECT: hence a device says offline itself before it',
      );
    });
  });
}
