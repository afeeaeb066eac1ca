import { connect, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { deviceTopic, type DeviceAddress } from '../contracts/device-topics';
import type { CommandLog } from './command-log';
import { createCommandResponder } from './command-responder';
import type { DeviceBehaviour } from './device-behaviour';
import { createDeviceHeartbeat } from './device-heartbeat';
import { derivedRandom, type RandomSource } from './seeded-random';
import type { SimulatorStats } from './simulator-stats';

// One virtual device speaking only the documented protocol: a persistent MQTT session under its
// own credentials, commands answered by its responder, heartbeats at its configured period.

export interface SimulatedDevice extends DeviceAddress {
  username: string;
  password: string;
}

export interface RunningDevice {
  readonly online: boolean;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  // Stops acting and answering; the connection stays open until stop().
  halt(): void;
  stop(): Promise<void>;
}

export interface SimulatedDeviceOptions {
  url: string;
  device: SimulatedDevice;
  behaviour: DeviceBehaviour;
  // The run's seed: with the device id it fixes this device's latencies and answers.
  seed: number;
  stats: SimulatorStats;
  log?: CommandLog | undefined;
  logger: Logger;
}

export function createSimulatedDevice(options: SimulatedDeviceOptions): RunningDevice {
  const { device, behaviour, stats } = options;
  const timing = derivedRandom(options.seed, `${device.deviceId}/timing`);
  let client: MqttClient | undefined;
  const publish = (channel: 'acks' | 'heartbeats', body: unknown, qos: 0 | 1) => {
    client?.publish(deviceTopic(device, channel), JSON.stringify(body), { qos });
  };
  const heartbeat = createDeviceHeartbeat({
    behaviour,
    random: timing,
    stats,
    send: (body) => publish('heartbeats', body, 0),
  });
  const responder = createCommandResponder({
    behaviour,
    latencyRandom: derivedRandom(options.seed, `${device.deviceId}/latency`),
    failureRandom: derivedRandom(options.seed, `${device.deviceId}/answers`),
    stats,
    log: options.log,
    execute: (envelope) => {
      if (envelope.kind === 'heartbeat_update') heartbeat.applyHeartbeatUpdate(envelope);
    },
    acknowledge: (acknowledgement) => {
      stats.acknowledgementsSent += 1;
      publish('acks', acknowledgement, 1);
    },
  });
  const onMessage = (topic: string, payload: Buffer) => {
    if (topic === deviceTopic(device, 'commands')) responder.receive(payload);
    else if (topic === deviceTopic(device, 'configuration')) heartbeat.applyConfiguration(payload);
  };
  const disconnect = async () => {
    heartbeat.stop();
    const closing = client;
    client = undefined;
    if (closing) await closing.endAsync();
  };
  return {
    get online() {
      return client?.connected ?? false;
    },
    connect: async () => {
      if (client) return;
      const opening = openSession(options, timing, onMessage);
      client = opening;
      try {
        await establishSession(opening, device);
      } catch (error) {
        client = undefined;
        throw error;
      }
      heartbeat.start();
    },
    disconnect,
    halt: () => {
      responder.stop();
      heartbeat.stop();
    },
    stop: async () => {
      responder.stop();
      await disconnect();
    },
  };
}

// Handlers are attached before CONNACK: commands queued while offline arrive right after it,
// and may be answered before the subscription below is confirmed.
function openSession(
  options: SimulatedDeviceOptions,
  random: RandomSource,
  onMessage: (topic: string, payload: Buffer) => void,
): MqttClient {
  const { device } = options;
  const client = connect(options.url, {
    username: device.username,
    password: device.password,
    clientId: device.username,
    protocolVersion: 4,
    clean: false,
    keepalive: 60,
    reconnectPeriod: 1000 + Math.floor(random() * 1000),
    connectTimeout: 30_000,
  });
  client.on('message', onMessage);
  client.on('error', (error) =>
    options.logger.debug({ err: error, deviceId: device.deviceId }, 'device connection error'),
  );
  return client;
}

async function establishSession(client: MqttClient, device: SimulatedDevice): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync({
      [deviceTopic(device, 'commands')]: { qos: 1 },
      [deviceTopic(device, 'configuration')]: { qos: 1 },
    });
  } catch (error) {
    await client.endAsync(true);
    throw error;
  }
}
