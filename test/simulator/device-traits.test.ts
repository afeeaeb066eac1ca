import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { commandExecutionId } from '../../contracts/ids';
import { startSimulatedFleet as startFleet, type SimulatedFleet } from '../../simulator/device-fleet';
import {
  connectDeviceTransport,
  type DeviceTransport,
  type ReceivedAcknowledgement,
  type ReceivedHeartbeat,
  type ReceivedPresence,
} from '../../transport/device-transport';
import { startEmbeddedHarness, type BrokerHarness } from '../../harness/broker-harness';
import { silentLogger, waitFor } from '../support/transport-fixtures';

// Devices that report progress and devices that brick, on a real broker, seen from the service's
// side of the protocol: what the engine will receive from them.
describe('simulated device traits on a broker', () => {
  let harness: BrokerHarness;
  let transport: DeviceTransport;
  const acknowledgements: ReceivedAcknowledgement[] = [];
  const heartbeats: ReceivedHeartbeat[] = [];
  const presence: ReceivedPresence[] = [];
  const fleets: SimulatedFleet[] = [];
  let bulk = 0;

  const startSimulatedFleet = async (options: Parameters<typeof startFleet>[0]) => {
    const fleet = await startFleet(options);
    fleets.push(fleet);
    return fleet;
  };
  const commandEach = async (devices: { companyId: string; deviceId: string }[], name: string, lifetimeMs: number) => {
    bulk += 1;
    const now = Date.now();
    for (const device of devices)
      await transport.publishCommand(device, {
        execution_id: commandExecutionId(`traits${bulk}`, device.deviceId),
        kind: 'command',
        name,
        payload: {},
        issued_at: new Date(now).toISOString(),
        expires_at: new Date(now + lifetimeMs).toISOString(),
      });
    return `traits${bulk}.`;
  };
  const acksOf = (prefix: string, deviceId: string) =>
    acknowledgements
      .filter((received) => received.deviceId === deviceId)
      .map((received) => received.acknowledgement)
      .filter((acknowledgement) => acknowledgement.execution_id.startsWith(prefix));

  before(async () => {
    harness = await startEmbeddedHarness();
    transport = await connectDeviceTransport({
      url: harness.serviceUrl,
      ...harness.service,
      clientId: 'service-device-traits-test',
      logger: silentLogger,
      onAcknowledgement: (received) => void acknowledgements.push(received),
      onHeartbeat: (received) => void heartbeats.push(received),
      onPresence: (received) => void presence.push(received),
    });
  });
  afterEach(async () => {
    await Promise.all(fleets.splice(0).map((fleet) => fleet.stop()));
  });
  after(async () => {
    await transport.close();
    await harness.close();
  });

  it('when a progress device gets a command outliving its deadline, then it reports, asks for time, and answers once', async () => {
    const { devices } = await harness.addCompany(4);
    const fleet = await startSimulatedFleet({
      url: harness.deviceUrl,
      devices,
      progressShare: 0.5,
      behaviour: { latency: { minMs: 0, maxMs: 0 }, progressWorkMs: 1500 },
      logger: silentLogger,
    });
    assert.equal(fleet.progressDeviceIds.size, 2);
    // A 1 s deadline against 1.5 s of work: the first report must ask for more time.
    const prefix = await commandEach(devices, 'backup', 1000);
    await waitFor(
      () => devices.every((device) => acksOf(prefix, device.deviceId).some((ack) => ack.status === 'success')),
      5000,
      'final answers',
    );
    for (const device of devices) {
      const said = acksOf(prefix, device.deviceId);
      if (!fleet.progressDeviceIds.has(device.deviceId)) {
        assert.deepEqual(
          said.map((ack) => ack.status),
          ['success'],
        );
        continue;
      }
      assert.deepEqual(
        said.map((ack) => ack.status),
        ['in_progress', 'in_progress', 'in_progress', 'success'],
      );
      assert.deepEqual(
        said.slice(0, 3).map((ack) => [ack.progress?.percent, ack.progress?.step]),
        [
          [0, 'started'],
          [33, 'working'],
          [67, 'finishing'],
        ],
      );
      assert.ok((said[0]!.progress?.extend_seconds ?? 0) >= 3, 'the first report asks for the rest and a margin');
      // Having asked, the device knows its new deadline: no further extension needed.
      assert.equal(said[2]!.progress?.extend_seconds, undefined);
    }
    const stats = await fleet.stop();
    assert.deepEqual(
      [stats.devicesReportingProgress, stats.progressReportsSent, stats.acknowledgementsSent, stats.commandsActed],
      [2, 6, 4, 4],
    );
  });

  it('when a bricking device answers a reboot, then it answers success and is never heard again', async () => {
    const { devices } = await harness.addCompany(4);
    const fleet = await startSimulatedFleet({
      url: harness.deviceUrl,
      devices,
      brickShare: 0.5,
      behaviour: { latency: { minMs: 0, maxMs: 0 }, heartbeatScale: 1000, brickAfterMs: 50 },
      logger: silentLogger,
    });
    const bricking = fleet.brickingDeviceIds;
    assert.equal(bricking.size, 2);
    const prefix = await commandEach(devices, 'reboot', 10_000);
    await waitFor(() => fleet.stats().devicesBricked === 2, 5000, 'bricked');
    await waitFor(
      () => devices.every((device) => acksOf(prefix, device.deviceId).length === 1),
      5000,
      'every device answered',
    );
    assert.ok(devices.every((device) => acksOf(prefix, device.deviceId)[0]!.status === 'success'));
    // The dropped connection fires the will: the service hears the bricked devices go offline.
    await waitFor(
      () => [...bricking].every((id) => presence.some((said) => said.deviceId === id && !said.online)),
      5000,
      'wills of bricked devices',
    );
    const silentSince = Date.now();
    const heard = (deviceId: string) =>
      heartbeats.some((beat) => beat.deviceId === deviceId && beat.receivedAt.getTime() > silentSince) ||
      presence.some((said) => said.deviceId === deviceId && said.online && said.receivedAt.getTime() > silentSince);
    // Heartbeats every 300 ms (300 s / 1000); 1.5 s is five periods and a reconnect back-off.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const device of devices)
      assert.equal(heard(device.deviceId), !bricking.has(device.deviceId), `device ${device.deviceId} heard`);
    // A second reboot reaches only the living.
    const again = await commandEach(devices, 'reboot', 10_000);
    await waitFor(
      () => devices.filter((device) => acksOf(again, device.deviceId).length === 1).length === 2,
      5000,
      'living answer',
    );
    const stats = await fleet.stop();
    assert.deepEqual([stats.devicesBrickable, stats.devicesBricked, stats.connected], [2, 2, 2]);
    assert.ok([...bricking].every((id) => acksOf(again, id).length === 0));
  });
});
