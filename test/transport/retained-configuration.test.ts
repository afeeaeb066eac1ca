import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceConfiguration } from '../../contracts/device-protocol.schema';
import { deviceTopic } from '../../contracts/device-topics';
import type { Database } from '../../registry/database';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../transport/broker';
import { republishRetainedConfigurations } from '../../transport/retained-configuration';
import { freePort } from '../../harness/free-port';
import { openTestDatabase } from '../support/test-database';
import {
  connectAsDevice,
  delay,
  insertCompanyWithDevices,
  silentLogger,
  testServiceCredentials,
} from '../support/transport-fixtures';

// What a device receives on its configuration topic within a short wait after connecting.
async function configurationOnConnect(url: string, device: SimulatedDevice): Promise<DeviceConfiguration | undefined> {
  const client = await connectAsDevice(url, device, { clean: true });
  let received: DeviceConfiguration | undefined;
  client.on('message', (_topic, payload) => (received = JSON.parse(payload.toString()) as DeviceConfiguration));
  await client.subscribeAsync(deviceTopic(device, 'configuration'), { qos: 1 });
  await delay(300);
  await client.endAsync();
  return received;
}

describe('retained configuration across embedded broker restarts', () => {
  let database: Database;
  let port: number;
  let broker: EmbeddedBroker | undefined;
  const startBroker = async () => {
    broker = await startEmbeddedBroker({
      port,
      database,
      serviceUsername: testServiceCredentials.username,
      servicePassword: testServiceCredentials.password,
      logger: silentLogger,
    });
    return broker;
  };
  const republish = (pageSize?: number) =>
    republishRetainedConfigurations({
      url: broker!.url,
      ...testServiceCredentials,
      database,
      logger: silentLogger,
      ...(pageSize ? { pageSize } : {}),
    });

  before(async () => {
    database = await openTestDatabase();
    port = await freePort();
  });
  after(async () => {
    await broker?.close();
    await database.close();
  });

  it('when the broker restarts and republishes from the registry, then a reconnecting device receives its configuration', async () => {
    const { devices } = await insertCompanyWithDevices(database, 5);
    const device = devices[3]!;
    await database.query(
      `update devices set heartbeat_period = 60, heartbeat_values = '{cpu_usage}', applied_settings = '{"s1": 2}'
        where id = $1`,
      [device.deviceId],
    );
    await startBroker();
    assert.equal(await republish(2), 5, 'every device in pages of 2');
    assert.equal((await configurationOnConnect(broker!.url, device))?.heartbeat_period, 60);

    await broker!.close();
    await startBroker();
    assert.equal(await configurationOnConnect(broker!.url, device), undefined, 'a restarted aedes holds nothing');
    await republish();
    const configuration = await configurationOnConnect(broker!.url, device);
    assert.deepEqual(
      [configuration?.heartbeat_period, configuration?.heartbeat_values, configuration?.applied_settings],
      [60, ['cpu_usage'], { s1: 2 }],
    );
    assert.equal((await configurationOnConnect(broker!.url, devices[0]!))?.heartbeat_period, 300);
  });
});
