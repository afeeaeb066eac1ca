import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectAsync, ErrorWithSubackPacket, type MqttClient } from 'mqtt';
import { deviceTopic } from '../../contracts/device-topics';
import { commandExecutionId } from '../../contracts/ids';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import {
  connectDeviceTransport,
  type DeviceTransport,
  type ReceivedAcknowledgement,
  type ReceivedPresence,
} from '../../transport/device-transport';
import type { BrokerHarness } from '../../harness/broker-harness';
import { connectAsDevice, delay, silentLogger } from '../support/transport-fixtures';
import { commandFor } from './protocol.suite';

async function refused(connecting: Promise<MqttClient>): Promise<boolean> {
  try {
    const client = await connecting;
    await client.endAsync(true);
    return false;
  } catch {
    return true;
  }
}

// aedes refuses such a subscription (SUBACK 0x80, which mqtt.js turns into a rejection);
// Mosquitto grants it and applies the read ACL to every message. Either way nothing arrives.
async function subscribeRegardless(client: MqttClient, topics: string[]): Promise<void> {
  try {
    await client.subscribeAsync(topics, { qos: 1 });
  } catch (error) {
    if (!(error instanceof ErrorWithSubackPacket)) throw error;
  }
}

// Collects what a device client receives; refused subscriptions must leave it empty.
function received(client: MqttClient): string[] {
  const topics: string[] = [];
  client.on('message', (topic) => topics.push(topic));
  return topics;
}

// Device isolation as the broker enforces it: own credentials, own topics, nothing else.
export function securityTests(startHarness: () => Promise<BrokerHarness>): void {
  describe('device isolation', () => {
    let harness: BrokerHarness;
    let transport: DeviceTransport;
    let mallory: SimulatedDevice;
    let neighbour: SimulatedDevice;
    let stranger: SimulatedDevice;
    const acknowledgements: ReceivedAcknowledgement[] = [];
    const presence: ReceivedPresence[] = [];

    before(async () => {
      harness = await startHarness();
      [mallory, neighbour] = (await harness.addCompany(2)).devices as [SimulatedDevice, SimulatedDevice];
      [stranger] = (await harness.addCompany(1)).devices as [SimulatedDevice];
      transport = await connectDeviceTransport({
        url: harness.serviceUrl,
        ...harness.service,
        clientId: `service-${randomBytes(4).toString('hex')}`,
        sharedSubscriptionGroup: harness.sharedSubscriptionGroup,
        logger: silentLogger,
        onAcknowledgement: (ack) => void acknowledgements.push(ack),
        onPresence: (received) => void presence.push(received),
      });
    });
    after(async () => {
      await transport.close();
      await harness.close();
    });

    it('when a device presents a wrong password or an unknown username, then the broker refuses it', async () => {
      assert.ok(await refused(connectAsDevice(harness.deviceUrl, { ...mallory, password: 'not-the-password' })));
      assert.ok(
        await refused(connectAsDevice(harness.deviceUrl, { ...mallory, username: 'ffffffffffffffffffffffff' })),
      );
      assert.ok(await refused(connectAsDevice(harness.deviceUrl, { ...mallory, password: '' })));
      const anonymous = connectAsync(harness.deviceUrl, {
        clientId: 'anonymous',
        reconnectPeriod: 0,
        protocolVersion: 4,
      });
      assert.ok(await refused(anonymous));
    });

    it('when the service presents a wrong password, then the broker refuses it', async () => {
      const connecting = connectAsync(harness.serviceUrl, {
        username: harness.service.username,
        password: 'wrong',
        reconnectPeriod: 0,
        protocolVersion: 4,
      });
      assert.ok(await refused(connecting));
    });

    it('when a device subscribes to another device, another company or a wildcard, then it receives nothing of theirs', async () => {
      const client = await connectAsDevice(harness.deviceUrl, mallory, { clean: true });
      const topics = received(client);
      const targets = [
        deviceTopic(neighbour, 'commands'),
        deviceTopic(stranger, 'commands'),
        deviceTopic(stranger, 'configuration'),
        'fleet/#',
        '#',
      ];
      await subscribeRegardless(client, targets);
      await transport.publishCommand(neighbour, commandFor(neighbour));
      await transport.publishCommand(stranger, commandFor(stranger));
      await delay(300);
      assert.deepEqual(topics, []);
      await client.endAsync();
    });

    it('when a device publishes on another device or company topic, then the service never sees it', async () => {
      const client = await connectAsDevice(harness.deviceUrl, mallory, { clean: true, reconnectPeriod: 0 });
      client.on('error', () => undefined);
      for (const victim of [neighbour, stranger]) {
        const forged = { execution_id: commandExecutionId('forged', victim.deviceId), status: 'success' };
        client.publish(deviceTopic(victim, 'acks'), JSON.stringify(forged), { qos: 0 });
        client.publish(deviceTopic(victim, 'commands'), JSON.stringify(commandFor(victim)), { qos: 0 });
        client.publish(deviceTopic(victim, 'presence'), JSON.stringify({ online: false }), { qos: 0 });
      }
      await delay(300);
      assert.deepEqual(
        acknowledgements.filter((ack) => ack.deviceId !== mallory.deviceId),
        [],
      );
      assert.deepEqual(
        presence.filter((received) => received.deviceId !== mallory.deviceId),
        [],
      );
      await client.endAsync(true);
    });

    it("when a device leaves its will on another device's presence topic, then the service never hears it (aedes refuses the CONNECT, Mosquitto drops the will when it fires)", async () => {
      const forgedWill = { online: false };
      const connecting = connectAsDevice(harness.deviceUrl, mallory, {
        clean: true,
        will: {
          topic: deviceTopic(neighbour, 'presence'),
          payload: Buffer.from(JSON.stringify(forgedWill)),
          qos: 1,
          retain: false,
        },
      });
      const client = await connecting.catch(() => undefined);
      if (client) (client.stream as Socket).destroy();
      await delay(500);
      assert.deepEqual(
        presence.filter((received) => received.deviceId !== mallory.deviceId),
        [],
      );
      // Mosquitto 2.0 accepts such a CONNECT and applies the write ACL when the will fires;
      // aedes refuses it at once (transport/broker.ts), as the stronger of the two.
      if (harness.name === 'embedded aedes')
        assert.equal(client, undefined, 'the CONNECT with a foreign will is refused');
    });

    it("when a device connects with another device's client id, then it does not get that device's queued commands", async () => {
      const victimSession = await connectAsDevice(harness.deviceUrl, neighbour);
      await victimSession.subscribeAsync(deviceTopic(neighbour, 'commands'), { qos: 1 });
      await victimSession.endAsync();
      await transport.publishCommand(neighbour, commandFor(neighbour));
      const connecting = connectAsDevice(harness.deviceUrl, mallory, { clientId: neighbour.username });
      const impostor = await connecting.catch(() => undefined);
      if (impostor) {
        const topics = received(impostor);
        await delay(300);
        assert.deepEqual(topics, []);
        await impostor.endAsync();
      }
    });
  });
}
