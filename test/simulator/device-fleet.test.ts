import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { commandExecutionId } from '../../contracts/ids';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import { startSimulatedFleet as startFleet, type SimulatedFleet } from '../../simulator/device-fleet';
import {
  connectDeviceTransport,
  type DeviceTransport,
  type ReceivedAcknowledgement,
  type ReceivedPresence,
} from '../../transport/device-transport';
import { startEmbeddedHarness, type BrokerHarness } from '../../harness/broker-harness';
import { connectAsDevice, silentLogger, waitFor } from '../support/transport-fixtures';

describe('simulated fleet', () => {
  let harness: BrokerHarness;
  let transport: DeviceTransport;
  const acknowledgements: ReceivedAcknowledgement[] = [];
  const presence: ReceivedPresence[] = [];
  const presenceOf = (device: SimulatedDevice) =>
    presence.filter((received) => received.deviceId === device.deviceId).map((received) => received.online);
  let bulk = 0;

  const commandEach = async (devices: { companyId: string; deviceId: string }[], lifetimeMs = 10_000) => {
    bulk += 1;
    const now = Date.now();
    await Promise.all(
      devices.map((device) =>
        transport.publishCommand(device, {
          execution_id: commandExecutionId(`bulk${bulk}`, device.deviceId),
          kind: 'command',
          name: 'reboot',
          payload: {},
          issued_at: new Date(now).toISOString(),
          expires_at: new Date(now + lifetimeMs).toISOString(),
        }),
      ),
    );
    return `bulk${bulk}.`;
  };
  const acksOf = (prefix: string) =>
    acknowledgements.filter((received) => received.acknowledgement.execution_id.startsWith(prefix));

  // Every fleet is stopped after its test even when the test fails: a fleet left churning keeps
  // reconnecting and the test process would never exit.
  const fleets: SimulatedFleet[] = [];
  const startSimulatedFleet = async (options: Parameters<typeof startFleet>[0]) => {
    const fleet = await startFleet(options);
    fleets.push(fleet);
    return fleet;
  };
  afterEach(async () => {
    await Promise.all(fleets.splice(0).map((fleet) => fleet.stop()));
  });

  before(async () => {
    harness = await startEmbeddedHarness();
    transport = await connectDeviceTransport({
      url: harness.serviceUrl,
      ...harness.service,
      clientId: 'service-simulator-test',
      logger: silentLogger,
      onAcknowledgement: (received) => void acknowledgements.push(received),
      onPresence: (received) => void presence.push(received),
    });
  });
  after(async () => {
    await transport.close();
    await harness.close();
  });

  it('when the failure rate is 1, then every command is acted on and answered fail', async () => {
    const { devices } = await harness.addCompany(10);
    const fleet = await startSimulatedFleet({
      url: harness.deviceUrl,
      devices,
      behaviour: { latency: { minMs: 0, maxMs: 10 }, failureRate: 1 },
      logger: silentLogger,
    });
    const prefix = await commandEach(devices);
    await waitFor(() => acksOf(prefix).length === 10, 5000, 'acks');
    assert.ok(acksOf(prefix).every((received) => received.acknowledgement.status === 'fail'));
    const stats = await fleet.stop();
    assert.equal(stats.failures, 10);
    assert.equal(stats.acknowledgementsSent, 10);
  });

  it('when half the fleet is offline, then only online devices connect, act and answer', async () => {
    const { devices } = await harness.addCompany(10);
    const fleet = await startSimulatedFleet({
      url: harness.deviceUrl,
      devices,
      offlineShare: 0.5,
      behaviour: { latency: { minMs: 0, maxMs: 0 } },
      logger: silentLogger,
    });
    assert.equal(fleet.stats().connected, 5);
    const prefix = await commandEach(devices);
    await waitFor(() => acksOf(prefix).length === 5, 5000, 'acks of online devices');
    const stats = await fleet.stop();
    assert.deepEqual([stats.devices, stats.devicesOffline, stats.commandsActed], [10, 5, 5]);
  });

  it('when two fleets run with the same seed, then the same devices stay offline and the same devices fail', async () => {
    const { devices } = await harness.addCompany(20);
    const run = async () => {
      const fleet = await startSimulatedFleet({
        url: harness.deviceUrl,
        devices,
        offlineShare: 0.25,
        seed: 11,
        behaviour: { latency: { minMs: 0, maxMs: 5 }, failureRate: 0.5 },
        logger: silentLogger,
      });
      const prefix = await commandEach(devices);
      await waitFor(() => acksOf(prefix).length === 15, 5000, 'acks of online devices');
      const failing = acksOf(prefix)
        .filter((received) => received.acknowledgement.status === 'fail')
        .map((received) => received.deviceId)
        .sort();
      await fleet.stop();
      return { offline: [...fleet.offlineDeviceIds].sort(), failing };
    };
    const first = await run();
    const second = await run();
    assert.equal(first.offline.length, 5);
    assert.deepEqual(second, first);
    assert.ok(first.failing.length > 0 && first.failing.length < 15, `${first.failing.length} of 15 failed`);
  });

  it('when a command reaches a device twice, then its log shows both receipts and one act, under its bulk response', async () => {
    const { devices } = await harness.addCompany(3);
    const fleet = await startSimulatedFleet({
      url: harness.deviceUrl,
      devices,
      behaviour: { latency: { minMs: 0, maxMs: 0 } },
      logger: silentLogger,
    });
    const sentAt = Date.now();
    const prefix = await commandEach(devices);
    await waitFor(() => acksOf(prefix).length === 3, 5000, 'first acks');
    const bulkResponseId = prefix.slice(0, -1);
    const [first] = devices;
    await transport.publishCommand(first!, {
      execution_id: commandExecutionId(bulkResponseId, first!.deviceId),
      kind: 'command',
      name: 'reboot',
      payload: {},
      issued_at: new Date().toISOString(),
      expires_at: new Date(Date.now() + 10_000).toISOString(),
    });
    const logOf = () => fleet.executions(bulkResponseId);
    await waitFor(() => logOf().some((execution) => execution.receivedAt.length === 2), 5000, 'second receipt');
    await fleet.stop();
    assert.equal(logOf().length, 3);
    assert.ok(logOf().every((execution) => execution.actedAt !== undefined && execution.actedAt >= sentAt));
    assert.deepEqual(
      logOf()
        .map((execution) => execution.receivedAt.length)
        .sort(),
      [1, 1, 2],
    );
    assert.deepEqual(fleet.executions('another-bulk'), []);
  });

  it('when devices churn, then commands sent while they are away are acted on after they return', async () => {
    const { devices } = await harness.addCompany(5);
    const fleet = await startSimulatedFleet({
      url: harness.deviceUrl,
      devices,
      churnPerMinute: 600,
      churnDowntimeMs: 150,
      behaviour: { latency: { minMs: 0, maxMs: 0 } },
      logger: silentLogger,
    });
    await waitFor(() => fleet.stats().reconnects >= 3, 5000, 'churn');
    const prefix = await commandEach(devices);
    await waitFor(() => acksOf(prefix).length === 5, 5000, 'acks after churn');
    const stats = await fleet.stop();
    assert.equal(stats.connectFailures, 0);
    assert.equal(stats.commandsActed, 5);
  });

  it('when devices churn, then each leaves saying offline and says online again once back and subscribed', async () => {
    const { devices } = await harness.addCompany(3);
    const fleet = await startSimulatedFleet({
      url: harness.deviceUrl,
      devices,
      churnPerMinute: 600,
      churnDowntimeMs: 100,
      logger: silentLogger,
    });
    await waitFor(() => fleet.stats().reconnects >= 3, 5000, 'churn');
    const stats = await fleet.stop();
    await waitFor(
      () => presence.filter((received) => !received.online).length >= stats.presenceOfflineSent,
      3000,
      'offline',
    );
    for (const device of devices) {
      const said = presenceOf(device);
      assert.equal(said[0], true, 'online first');
      assert.equal(said.at(-1), false, 'offline last, at the stop');
      assert.ok(
        said.every((online, index) => index === 0 || online !== said[index - 1]),
        `alternating: ${said.join()}`,
      );
    }
    // Once per churn, and once more at the stop for each device connected then.
    assert.equal(stats.presenceOfflineSent, stats.reconnects + stats.connected);
  });

  it('when a device loses its connection, then it reconnects by itself and says online again', async () => {
    const [device] = (await harness.addCompany(1)).devices as [SimulatedDevice];
    const fleet = await startSimulatedFleet({ url: harness.deviceUrl, devices: [device], logger: silentLogger });
    await waitFor(() => presenceOf(device).length === 1, 3000, 'online');
    // Another connection with the device's client id takes its session over: the simulated
    // device's connection is closed by the broker (no DISCONNECT from the device, so its will fires).
    const intruder = await connectAsDevice(harness.deviceUrl, device);
    await intruder.endAsync();
    await waitFor(() => fleet.stats().presenceOnlineSent === 2, 5000, 'online again after the reconnect');
    await waitFor(() => presenceOf(device).at(-1) === true && presenceOf(device).length >= 2, 3000, 'online heard');
    await fleet.stop();
  });
});
