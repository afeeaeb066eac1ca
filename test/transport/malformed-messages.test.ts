import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { deviceTopic } from '../../contracts/device-topics';
import { commandExecutionId } from '../../contracts/ids';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import { connectDeviceTransport, type DeviceTransport } from '../../transport/device-transport';
import { startEmbeddedHarness, type BrokerHarness } from '../../harness/broker-harness';
import { connectAsDevice, silentLogger, waitFor } from '../support/transport-fixtures';

describe('malformed device messages', () => {
  let harness: BrokerHarness;
  let transport: DeviceTransport;
  let device: SimulatedDevice;
  let client: MqttClient;
  const applied: string[] = [];

  before(async () => {
    harness = await startEmbeddedHarness();
    [device] = (await harness.addCompany(1)).devices as [SimulatedDevice];
    transport = await connectDeviceTransport({
      url: harness.serviceUrl,
      ...harness.service,
      clientId: 'service-malformed',
      logger: silentLogger,
      onAcknowledgement: ({ acknowledgement }) => {
        // Stands in for the engine: an execution it does not know fails to complete.
        if (acknowledgement.execution_id.startsWith('unknown')) throw new Error('no such activity');
        applied.push(acknowledgement.execution_id);
      },
    });
    client = await connectAsDevice(harness.deviceUrl, device, { clean: true });
  });
  after(async () => {
    await client.endAsync();
    await transport.close();
    await harness.close();
  });

  const send = (body: string | Buffer) => client.publishAsync(deviceTopic(device, 'acks'), body, { qos: 1 });

  it('when a device sends bad JSON, wrong types or foreign acks, then each is dropped and counted', async () => {
    await send('{"execution_id": ');
    await send(JSON.stringify({ execution_id: 42, status: 'success' }));
    await send(JSON.stringify({ execution_id: commandExecutionId('b', device.deviceId), status: 'maybe' }));
    await send(JSON.stringify({ execution_id: commandExecutionId('b', 'another-device'), status: 'success' }));
    await client.publishAsync(deviceTopic(device, 'heartbeats'), '[1, 2', { qos: 1 });
    await waitFor(
      () => Object.values(transport.stats().dropped).reduce((sum, count) => sum + count, 0) === 5,
      3000,
      'drops',
    );
    assert.deepEqual(transport.stats().dropped, {
      unknown_topic: 0,
      oversized: 0,
      invalid_json: 2,
      invalid_shape: 2,
      foreign_execution_id: 1,
    });
    assert.deepEqual(applied, []);
  });

  it('when an ack names an execution the engine does not know, then it is counted and the service keeps working', async () => {
    await send(JSON.stringify({ execution_id: commandExecutionId('unknown', device.deviceId), status: 'success' }));
    await waitFor(() => transport.stats().acknowledgementsFailed === 1, 3000, 'failed completion');
    const valid = commandExecutionId('known', device.deviceId);
    await send(JSON.stringify({ execution_id: valid, status: 'fail', message: 'disk full' }));
    await waitFor(() => applied.includes(valid), 3000, 'valid ack');
  });
});
