import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { maximumMessageBytes } from '../../contracts/device-protocol.schema';
import { deviceTopic } from '../../contracts/device-topics';
import { commandExecutionId } from '../../contracts/ids';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import { connectDeviceTransport, type DeviceTransport } from '../../transport/device-transport';
import { startEmbeddedHarness, type BrokerHarness } from '../../harness/broker-harness';
import { startMosquittoHarness } from '../../harness/mosquitto-harness';
import { connectAsDevice, delay, silentLogger, waitFor } from '../support/transport-fixtures';

// A well-formed acknowledgement padded to `bytes`, so only its size can make it fail.
function ackOfSize(executionId: string, bytes: number): string {
  const bare = JSON.stringify({ execution_id: executionId, status: 'success', result: { log: '' } });
  return JSON.stringify({
    execution_id: executionId,
    status: 'success',
    result: { log: 'x'.repeat(bytes - bare.length) },
  });
}

// Mosquitto may keep the oversized sender connected (it drops the message) or disconnect it;
// aedes disconnects it. Either way the publish is acknowledged, fails or times out; the test
// judges only what reached the service.
async function publishIgnoringOutcome(client: MqttClient, topic: string, payload: string): Promise<void> {
  await Promise.race([client.publishAsync(topic, payload, { qos: 1 }).catch(() => undefined), delay(2000)]);
}

function messageSizeLimitTests(startHarness: () => Promise<BrokerHarness>, name: string): void {
  describe(`device message size limit (${name})`, () => {
    let harness: BrokerHarness;
    let transport: DeviceTransport;
    let devices: SimulatedDevice[];
    const received: string[] = [];

    before(async () => {
      harness = await startHarness();
      devices = (await harness.addCompany(3)).devices;
      transport = await connectDeviceTransport({
        url: harness.serviceUrl,
        ...harness.service,
        clientId: `service-size-limit-${name.replace(/\W/g, '')}`,
        sharedSubscriptionGroup: harness.sharedSubscriptionGroup,
        logger: silentLogger,
        onAcknowledgement: ({ acknowledgement }) => {
          received.push(acknowledgement.execution_id);
        },
      });
    });
    after(async () => {
      await transport.close();
      await harness.close();
    });

    const sendFrom = async (device: SimulatedDevice, payload: string) => {
      const client = await connectAsDevice(harness.deviceUrl, device, { clean: true });
      await publishIgnoringOutcome(client, deviceTopic(device, 'acks'), payload);
      await Promise.race([client.endAsync().catch(() => undefined), delay(1000)]);
    };

    it('when a device publishes a message of exactly the limit, then the service receives it', async () => {
      const [device] = devices as [SimulatedDevice];
      const executionId = commandExecutionId('fits', device.deviceId);
      await sendFrom(device, ackOfSize(executionId, maximumMessageBytes));
      await waitFor(() => received.includes(executionId), 5000, 'the ack at the limit');
    });

    it('when a device publishes one byte over the limit or megabytes, then the service never sees either', async () => {
      const [, big, huge] = devices as [SimulatedDevice, SimulatedDevice, SimulatedDevice];
      const overByOne = commandExecutionId('over-by-one', big.deviceId);
      const megabytes = commandExecutionId('megabytes', huge.deviceId);
      await sendFrom(big, ackOfSize(overByOne, maximumMessageBytes + 1));
      await sendFrom(huge, ackOfSize(megabytes, 4 * 1024 * 1024));
      const afterwards = commandExecutionId('afterwards', big.deviceId);
      await sendFrom(big, ackOfSize(afterwards, 200));
      await waitFor(() => received.includes(afterwards), 5000, 'a normal ack after the oversized ones');
      await delay(300);
      assert.deepEqual(
        received.filter((id) => id === overByOne || id === megabytes),
        [],
      );
      assert.equal(transport.stats().dropped.oversized, 0, 'nothing oversized reached the service to be dropped');
    });
  });
}

messageSizeLimitTests(startEmbeddedHarness, 'embedded aedes');
messageSizeLimitTests(startMosquittoHarness, 'Mosquitto');
