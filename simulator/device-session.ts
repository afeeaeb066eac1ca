import { connect, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { offlineWill } from '../contracts/device-protocol.schema';
import { deviceTopic } from '../contracts/device-topics';
import type { RandomSource } from './seeded-random';
import type { SimulatedDevice } from './simulated-device';

// One simulated device's MQTT connection, as docs/device-protocol.md asks of a device: persistent
// session, client id = username, a will saying offline, subscriptions to its own two topics.

// The broker notices a silent network loss after 1.5 keep-alives (here 30 s) and then publishes
// the will; a process killed or a socket reset is noticed at once. docs/device-protocol.md
// recommends at most 20 s; shorter costs every device a ping per period when it has nothing to say.
export const simulatorKeepAliveSeconds = 20;

// A graceful close waits for the device's last messages (its offline) to be acknowledged, but not
// forever: a connection lost at that moment would never deliver them.
const closeTimeoutMs = 3000;

export function subscriptionsOf(device: SimulatedDevice): Record<string, { qos: 1 }> {
  return {
    [deviceTopic(device, 'commands')]: { qos: 1 },
    [deviceTopic(device, 'configuration')]: { qos: 1 },
  };
}

// Handlers are attached before CONNACK: commands queued while offline arrive right after it,
// and may be answered before the subscription below is confirmed. Resubscription after a lost
// connection is the caller's (it announces online once the subscriptions are acknowledged).
export function openSession(
  url: string,
  device: SimulatedDevice,
  random: RandomSource,
  logger: Logger,
  onMessage: (topic: string, payload: Buffer) => void,
): MqttClient {
  const client = connect(url, {
    username: device.username,
    password: device.password,
    clientId: device.username,
    protocolVersion: 4,
    clean: false,
    keepalive: simulatorKeepAliveSeconds,
    reconnectPeriod: 1000 + Math.floor(random() * 1000),
    connectTimeout: 30_000,
    resubscribe: false,
    will: {
      topic: deviceTopic(device, 'presence'),
      payload: Buffer.from(JSON.stringify(offlineWill)),
      qos: 1,
      retain: false,
    },
  });
  client.on('message', onMessage);
  client.on('error', (error) => logger.debug({ err: error, deviceId: device.deviceId }, 'device connection error'));
  return client;
}

export async function establishSession(client: MqttClient, device: SimulatedDevice): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(subscriptionsOf(device));
  } catch (error) {
    await client.endAsync(true);
    throw error;
  }
}

// mqtt.js ends a connection only once its in-flight QoS 1 messages are acknowledged, and ignores a
// second, forced end while the first waits; past the timeout the socket itself is dropped (the
// broker then publishes the will, which says offline too).
export async function closeSession(client: MqttClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), closeTimeoutMs)));
  const closed = client.endAsync().then(() => false);
  if (await Promise.race([closed, timedOut])) client.stream.destroy();
  clearTimeout(timer);
}
