import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import type { CommandEnvelope } from '../../contracts/device-protocol.schema';
import { deviceTopic } from '../../contracts/device-topics';
import { commandExecutionId } from '../../contracts/ids';
import { startSimulatedFleet } from '../../simulator/device-fleet';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import {
  connectDeviceTransport,
  type DeviceTransport,
  type ReceivedAcknowledgement,
} from '../../transport/device-transport';
import type { BrokerHarness } from '../../harness/broker-harness';
import { connectAsDevice, delay, silentLogger, waitFor } from '../support/transport-fixtures';

export function commandFor(
  device: SimulatedDevice,
  lifetimeMs = 10_000,
  bulkResponseId = randomBytes(12).toString('hex'),
): CommandEnvelope {
  const now = Date.now();
  return {
    execution_id: commandExecutionId(bulkResponseId, device.deviceId),
    kind: 'command',
    name: 'reboot',
    payload: {},
    issued_at: new Date(now).toISOString(),
    expires_at: new Date(now + lifetimeMs).toISOString(),
  };
}

// Command delivery as the engine relies on it, through a real broker and simulated devices.
export function protocolTests(startHarness: () => Promise<BrokerHarness>): void {
  describe('device protocol', () => {
    let harness: BrokerHarness;
    let transport: DeviceTransport;
    const acknowledgements: ReceivedAcknowledgement[] = [];
    const acknowledged = (executionId: string) =>
      acknowledgements.filter((received) => received.acknowledgement.execution_id === executionId);

    before(async () => {
      harness = await startHarness();
      transport = await connectDeviceTransport({
        url: harness.serviceUrl,
        ...harness.service,
        clientId: `service-${randomBytes(4).toString('hex')}`,
        sharedSubscriptionGroup: harness.sharedSubscriptionGroup,
        logger: silentLogger,
        onAcknowledgement: (received) => void acknowledgements.push(received),
      });
    });
    after(async () => {
      await transport.close();
      await harness.close();
    });

    it('when a command is published to an online device, then the device acts and the service receives its ack', async () => {
      const { devices } = await harness.addCompany(1);
      const fleet = await startSimulatedFleet({
        url: harness.deviceUrl,
        devices,
        behaviour: { latency: { minMs: 0, maxMs: 5 } },
        logger: silentLogger,
      });
      const command = commandFor(devices[0]!);
      await transport.publishCommand(devices[0]!, command);
      await waitFor(() => acknowledged(command.execution_id).length === 1, 5000, 'ack');
      const [received] = acknowledged(command.execution_id);
      assert.equal(received!.acknowledgement.status, 'success');
      assert.equal(received!.deviceId, devices[0]!.deviceId);
      const stats = await fleet.stop();
      assert.equal(stats.commandsActed, 1);
    });

    it('when a device is offline, then it receives the command on reconnect within the deadline', async () => {
      const { devices } = await harness.addCompany(1);
      const device = devices[0]!;
      const first = await connectAsDevice(harness.deviceUrl, device);
      await first.subscribeAsync(deviceTopic(device, 'commands'), { qos: 1 });
      await first.endAsync();
      const command = commandFor(device);
      await transport.publishCommand(device, command);
      await delay(200);
      const fleet = await startSimulatedFleet({
        url: harness.deviceUrl,
        devices,
        behaviour: { latency: { minMs: 0, maxMs: 0 } },
        logger: silentLogger,
      });
      await waitFor(() => acknowledged(command.execution_id).length === 1, 5000, 'ack after reconnect');
      assert.equal((await fleet.stop()).commandsActed, 1);
    });

    it('when a command has expired before the device sees it, then the device does not execute it', async () => {
      const { devices } = await harness.addCompany(1);
      const fleet = await startSimulatedFleet({
        url: harness.deviceUrl,
        devices,
        behaviour: { latency: { minMs: 0, maxMs: 0 } },
        logger: silentLogger,
      });
      const command = { ...commandFor(devices[0]!), expires_at: new Date(Date.now() - 1000).toISOString() };
      await transport.publishCommand(devices[0]!, command);
      await waitFor(() => fleet.stats().expired === 1, 5000, 'expired count');
      const stats = await fleet.stop();
      assert.equal(stats.commandsActed, 0);
      assert.equal(acknowledged(command.execution_id).length, 0);
    });

    it('when a command is delivered twice, then the device acts once and answers both with the same ack', async () => {
      const { devices } = await harness.addCompany(1);
      const fleet = await startSimulatedFleet({
        url: harness.deviceUrl,
        devices,
        behaviour: { latency: { minMs: 20, maxMs: 20 }, failureRate: 0.5 },
        logger: silentLogger,
      });
      const command = commandFor(devices[0]!);
      await transport.publishCommand(devices[0]!, command);
      await transport.publishCommand(devices[0]!, { ...command, issued_at: new Date().toISOString() });
      await waitFor(() => acknowledged(command.execution_id).length === 2, 5000, 'two acks');
      const [first, second] = acknowledged(command.execution_id);
      assert.equal(first!.acknowledgement.status, second!.acknowledgement.status);
      assert.equal(first!.acknowledgement.message, second!.acknowledgement.message);
      const stats = await fleet.stop();
      assert.equal(stats.commandsActed, 1);
      assert.equal(stats.duplicates, 1);
    });

    it('when a command the device acted on is delivered again after its expires_at, then it answers the same again without acting', async () => {
      const { devices } = await harness.addCompany(1);
      const fleet = await startSimulatedFleet({
        url: harness.deviceUrl,
        devices,
        behaviour: { latency: { minMs: 0, maxMs: 0 }, failureRate: 0.5 },
        logger: silentLogger,
      });
      const command = commandFor(devices[0]!, 500);
      await transport.publishCommand(devices[0]!, command);
      await waitFor(() => acknowledged(command.execution_id).length === 1, 5000, 'the first ack');
      await delay(Date.parse(command.expires_at) - Date.now() + 100);
      // The service's last copy at the deadline, there to recover an answer lost on the way.
      await transport.publishCommand(devices[0]!, command);
      await waitFor(() => acknowledged(command.execution_id).length === 2, 5000, 'the answer to the late copy');
      const [first, second] = acknowledged(command.execution_id);
      assert.deepEqual(second!.acknowledgement, first!.acknowledgement);
      const stats = await fleet.stop();
      assert.deepEqual([stats.commandsActed, stats.duplicates, stats.expired], [1, 1, 0]);
    });

    it('when the service is away (a worker killed) while a device acknowledges, then the ack waits in its session and arrives when it reconnects', async () => {
      const { devices } = await harness.addCompany(1);
      const device = devices[0]!;
      const clientId = `worker-${randomBytes(4).toString('hex')}`;
      const received: ReceivedAcknowledgement[] = [];
      const connectWorker = () =>
        connectDeviceTransport({
          url: harness.serviceUrl,
          ...harness.service,
          clientId,
          persistentSession: true,
          logger: silentLogger,
          onAcknowledgement: (acknowledgement) => void received.push(acknowledgement),
        });
      await (await connectWorker()).close();
      const executionId = commandFor(device).execution_id;
      const deviceClient = await connectAsDevice(harness.deviceUrl, device);
      await deviceClient.publishAsync(
        deviceTopic(device, 'acks'),
        JSON.stringify({ execution_id: executionId, status: 'success', acknowledged_at: new Date().toISOString() }),
        { qos: 1 },
      );
      await deviceClient.endAsync();
      assert.equal(received.length, 0);
      const worker = await connectWorker();
      try {
        await waitFor(
          () => received.some((ack) => ack.acknowledgement.execution_id === executionId),
          5000,
          'queued ack',
        );
      } finally {
        await worker.close();
      }
    });

    it('when a configuration is published, then it is retained and a device connecting later receives it', async () => {
      const { devices } = await harness.addCompany(1);
      const device = devices[0]!;
      await transport.publishDeviceConfiguration(device, {
        heartbeat_period: 30,
        heartbeat_values: ['cpu_usage'],
        applied_settings: { s1: 2 },
        updated_at: new Date().toISOString(),
      });
      const client: MqttClient = await connectAsDevice(harness.deviceUrl, device, { clean: true });
      const received = new Promise<string>((resolve) =>
        client.on('message', (_topic, payload) => resolve(payload.toString())),
      );
      await client.subscribeAsync(deviceTopic(device, 'configuration'), { qos: 1 });
      assert.equal((JSON.parse(await received) as { heartbeat_period: number }).heartbeat_period, 30);
      await client.endAsync();
    });

    it('when two service instances listen, then each ack reaches one of them with shared subscriptions, or both without', async () => {
      const { devices } = await harness.addCompany(1);
      const secondInstance: ReceivedAcknowledgement[] = [];
      const second = await connectDeviceTransport({
        url: harness.serviceUrl,
        ...harness.service,
        clientId: `service-${randomBytes(4).toString('hex')}`,
        sharedSubscriptionGroup: harness.sharedSubscriptionGroup,
        logger: silentLogger,
        onAcknowledgement: (received) => void secondInstance.push(received),
      });
      const fleet = await startSimulatedFleet({
        url: harness.deviceUrl,
        devices,
        behaviour: { latency: { minMs: 0, maxMs: 0 } },
        logger: silentLogger,
      });
      const commands = Array.from({ length: 20 }, () => commandFor(devices[0]!));
      await Promise.all(commands.map((command) => transport.publishCommand(devices[0]!, command)));
      await waitFor(() => fleet.stats().acknowledgementsSent === commands.length, 5000, 'acks sent');
      await delay(200);
      const deliveries = commands.map(
        (command) =>
          acknowledged(command.execution_id).length +
          secondInstance.filter((received) => received.acknowledgement.execution_id === command.execution_id).length,
      );
      assert.deepEqual(
        deliveries,
        commands.map(() => (harness.sharedSubscriptionGroup ? 1 : 2)),
      );
      await fleet.stop();
      await second.close();
    });
  });
}
