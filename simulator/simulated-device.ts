import { connect, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { deviceConfigurationSchema, type CommandEnvelope, type DeviceConfiguration } from '../contracts/device-protocol.schema';
import { deviceTopic, type DeviceAddress } from '../contracts/device-topics';
import { createCommandResponder } from './command-responder';
import { heartbeatIntervalMs, type DeviceBehaviour } from './device-behaviour';
import { heartbeatValues } from './heartbeat-values';
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
  stop(): Promise<void>;
}

export interface SimulatedDeviceOptions {
  url: string;
  device: SimulatedDevice;
  behaviour: DeviceBehaviour;
  stats: SimulatorStats;
  logger: Logger;
}

export function createSimulatedDevice(options: SimulatedDeviceOptions): RunningDevice {
  const { device, behaviour, stats } = options;
  let client: MqttClient | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let configuration: Pick<DeviceConfiguration, 'heartbeat_period' | 'heartbeat_values'> = {
    heartbeat_period: behaviour.defaultHeartbeatPeriodSeconds,
    heartbeat_values: [],
  };
  const publish = (channel: 'acks' | 'heartbeats', body: unknown, qos: 0 | 1) => {
    client?.publish(deviceTopic(device, channel), JSON.stringify(body), { qos });
  };
  const responder = createCommandResponder({
    behaviour,
    stats,
    execute: (envelope: CommandEnvelope) => {
      if (envelope.kind !== 'heartbeat_update') return;
      const period = envelope.payload.heartbeat_period;
      const values = envelope.payload.heartbeat_values;
      if (typeof period === 'number' && period >= 1) configuration = { ...configuration, heartbeat_period: period };
      if (Array.isArray(values)) configuration = { ...configuration, heartbeat_values: values.map(String) };
    },
    acknowledge: (acknowledgement) => {
      stats.acknowledgementsSent += 1;
      publish('acks', acknowledgement, 1);
    },
  });

  const scheduleHeartbeat = (delayMs: number) => {
    clearTimeout(heartbeatTimer);
    heartbeatTimer = setTimeout(() => {
      stats.heartbeatsSent += 1;
      publish('heartbeats', { sent_at: new Date().toISOString(), values: heartbeatValues(configuration.heartbeat_values, behaviour.random) }, 0);
      scheduleHeartbeat(heartbeatIntervalMs(behaviour, configuration.heartbeat_period));
    }, delayMs);
  };

  const receiveConfiguration = (payload: Buffer) => {
    stats.configurationsReceived += 1;
    try {
      const parsed = deviceConfigurationSchema.safeParse(JSON.parse(payload.toString('utf8')));
      if (parsed.success) configuration = parsed.data;
      else stats.malformed += 1;
    } catch {
      stats.malformed += 1;
    }
  };

  const onMessage = (topic: string, payload: Buffer) => {
    if (topic === deviceTopic(device, 'commands')) responder.receive(payload);
    else if (topic === deviceTopic(device, 'configuration')) receiveConfiguration(payload);
  };

  const disconnect = async () => {
    clearTimeout(heartbeatTimer);
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
      const opening = openSession(options, onMessage);
      client = opening;
      try {
        await establishSession(opening, device);
      } catch (error) {
        client = undefined;
        throw error;
      }
      // Spread first heartbeats so a fleet connecting together does not beat in lockstep.
      scheduleHeartbeat(behaviour.random() * Math.min(5000, heartbeatIntervalMs(behaviour, configuration.heartbeat_period)));
    },
    disconnect,
    stop: async () => {
      responder.stop();
      await disconnect();
    },
  };
}

// Handlers are attached before CONNACK: commands queued while offline arrive right after it,
// and may be answered before the subscription below is confirmed.
function openSession(options: SimulatedDeviceOptions, onMessage: (topic: string, payload: Buffer) => void): MqttClient {
  const { device } = options;
  const client = connect(options.url, {
    username: device.username,
    password: device.password,
    clientId: device.username,
    protocolVersion: 4,
    clean: false,
    keepalive: 60,
    reconnectPeriod: 1000 + Math.floor(options.behaviour.random() * 1000),
    connectTimeout: 30_000,
  });
  client.on('message', onMessage);
  client.on('error', (error) => options.logger.debug({ err: error, deviceId: device.deviceId }, 'device connection error'));
  return client;
}

async function establishSession(client: MqttClient, device: SimulatedDevice): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync({ [deviceTopic(device, 'commands')]: { qos: 1 }, [deviceTopic(device, 'configuration')]: { qos: 1 } });
  } catch (error) {
    await client.endAsync(true);
    throw error;
  }
}
