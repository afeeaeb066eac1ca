import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import {
  commandEnvelopeSchema,
  deviceConfigurationSchema,
  type Acknowledgement,
  type CommandEnvelope,
  type DeviceConfiguration,
  type Heartbeat,
} from '../contracts/device-protocol.schema';
import { allDevicesTopicFilter, deviceTopic, sharedTopicFilter, type DeviceAddress } from '../contracts/device-topics';
import { dropReasons, parseInboundMessage, type DropReason } from './inbound-message.parser';

// The service's side of the device protocol, used by activities and the worker: publishes
// commands and retained configurations, and hands every valid acknowledgement, heartbeat and
// presence message to the callbacks it was given. It never throws on what devices send: bad messages are counted.

export interface ReceivedAcknowledgement extends DeviceAddress {
  acknowledgement: Acknowledgement;
  receivedAt: Date;
}

export interface ReceivedHeartbeat extends DeviceAddress {
  heartbeat: Heartbeat;
  receivedAt: Date;
}

// A device said it is online or offline, or its will said offline for it (the connection was lost).
export interface ReceivedPresence extends DeviceAddress {
  online: boolean;
  receivedAt: Date;
}

export interface DeviceTransportOptions {
  url: string;
  username: string;
  password?: string | undefined;
  // Unique per service process: two connections with one client id take each other's place.
  clientId: string;
  // Keep the broker session (and QoS 1 acknowledgements queued in it) while disconnected: a worker
  // killed or a broker restarted loses no acknowledgement; it gets them when it reconnects.
  persistentSession?: boolean;
  logger: Logger;
  // Set when the broker supports shared subscriptions (Mosquitto, EMQX...): each ack then
  // reaches one service instance. Unset (aedes), every instance receives every ack, which is
  // harmless because completing an already completed activity is a no-op. Heartbeats and presence
  // follow the same filter: each instance records what it receives, and the registry orders
  // presence by receipt time whichever instance wrote it (registry/device-presence.repository.ts).
  sharedSubscriptionGroup?: string | undefined;
  onAcknowledgement: (received: ReceivedAcknowledgement) => Promise<void> | void;
  onHeartbeat?: (received: ReceivedHeartbeat) => void;
  onPresence?: (received: ReceivedPresence) => void;
}

export interface DeviceTransportStats {
  commandsPublished: number;
  configurationsPublished: number;
  acknowledgementsReceived: number;
  acknowledgementsFailed: number;
  heartbeatsReceived: number;
  presenceReceived: number;
  dropped: Record<DropReason, number>;
}

export interface DeviceTransport {
  // Resolves once the broker holds the command (PUBACK): it is then queued for an offline device.
  publishCommand(target: DeviceAddress, envelope: CommandEnvelope): Promise<void>;
  // Retained, so the device receives its current configuration on every (re)connect.
  publishDeviceConfiguration(target: DeviceAddress, configuration: DeviceConfiguration): Promise<void>;
  stats(): DeviceTransportStats;
  close(): Promise<void>;
}

function emptyStats(): DeviceTransportStats {
  const dropped = Object.fromEntries(dropReasons.map((reason) => [reason, 0])) as Record<DropReason, number>;
  return {
    commandsPublished: 0,
    configurationsPublished: 0,
    acknowledgementsReceived: 0,
    acknowledgementsFailed: 0,
    heartbeatsReceived: 0,
    presenceReceived: 0,
    dropped,
  };
}

function subscriptionFilters(group: string | undefined): Record<string, { qos: 0 | 1 }> {
  const share = (filter: string) => (group ? sharedTopicFilter(group, filter) : filter);
  return {
    [share(allDevicesTopicFilter('acks'))]: { qos: 1 },
    [share(allDevicesTopicFilter('heartbeats'))]: { qos: 0 },
    // QoS 1: an offline lost on the way would leave the device online until its heartbeats age.
    [share(allDevicesTopicFilter('presence'))]: { qos: 1 },
  };
}

function handleMessage(
  options: DeviceTransportOptions,
  stats: DeviceTransportStats,
  topic: string,
  payload: Buffer,
): void {
  const message = parseInboundMessage(topic, payload);
  const receivedAt = new Date();
  if (message.kind === 'dropped') {
    stats.dropped[message.reason] += 1;
    options.logger.debug({ topic, reason: message.reason }, 'device message dropped');
    return;
  }
  if (message.kind === 'heartbeat') {
    stats.heartbeatsReceived += 1;
    options.onHeartbeat?.({ ...message.device, heartbeat: message.heartbeat, receivedAt });
    return;
  }
  if (message.kind === 'presence') {
    stats.presenceReceived += 1;
    options.onPresence?.({ ...message.device, online: message.presence.online, receivedAt });
    return;
  }
  stats.acknowledgementsReceived += 1;
  const received = { ...message.device, acknowledgement: message.acknowledgement, receivedAt };
  Promise.resolve()
    .then(() => options.onAcknowledgement(received))
    .catch((error: unknown) => {
      stats.acknowledgementsFailed += 1;
      options.logger.warn(
        { err: error, executionId: received.acknowledgement.execution_id },
        'acknowledgement not applied',
      );
    });
}

function connected(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      client.off('connect', succeed);
      client.end(true);
      reject(error);
    };
    const succeed = () => {
      client.off('error', fail);
      resolve();
    };
    client.once('connect', succeed);
    client.once('error', fail);
  });
}

export async function connectDeviceTransport(options: DeviceTransportOptions): Promise<DeviceTransport> {
  const stats = emptyStats();
  const connectOptions: IClientOptions = {
    username: options.username,
    password: options.password,
    clientId: options.clientId,
    protocolVersion: 4,
    clean: !options.persistentSession,
    reconnectPeriod: 1000,
  };
  // Handlers first: a persistent session's queued acks may arrive in the same read as CONNACK,
  // before any code awaiting the connection could attach them, and would be acknowledged unseen.
  const client: MqttClient = connect(options.url, connectOptions);
  client.on('message', (topic, payload) => {
    try {
      handleMessage(options, stats, topic, payload);
    } catch (error) {
      options.logger.error({ err: error, topic }, 'device message handler failed');
    }
  });
  await connected(client);
  client.on('error', (error) => options.logger.warn({ err: error }, 'device transport error'));
  try {
    await client.subscribeAsync(subscriptionFilters(options.sharedSubscriptionGroup));
  } catch (error) {
    await client.endAsync(true);
    throw new Error('the broker refused the service subscriptions (check the service ACL)', { cause: error });
  }
  return {
    publishCommand: async (target, envelope) => {
      const body = JSON.stringify(commandEnvelopeSchema.parse(envelope));
      await client.publishAsync(deviceTopic(target, 'commands'), body, { qos: 1 });
      stats.commandsPublished += 1;
    },
    publishDeviceConfiguration: async (target, configuration) => {
      const body = JSON.stringify(deviceConfigurationSchema.parse(configuration));
      await client.publishAsync(deviceTopic(target, 'configuration'), body, { qos: 1, retain: true });
      stats.configurationsPublished += 1;
    },
    stats: () => structuredClone(stats),
    close: () => client.endAsync(),
  };
}
