import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Acknowledgement } from '../contracts/device-protocol.schema';
import { deviceTopic, type DeviceAddress } from '../contracts/device-topics';
import type { CommandLog } from './command-log';
import { createCommandResponder } from './command-responder';
import type { DeviceBehaviour } from './device-behaviour';
import { createBrickWatch } from './device-bricking';
import { createDeviceHeartbeat } from './device-heartbeat';
import { closeSession, establishSession, openSession, subscriptionsOf } from './device-session';
import { derivedRandom } from './seeded-random';
import type { SimulatorStats } from './simulator-stats';

// One virtual device speaking only the documented protocol: a persistent MQTT session under its
// own credentials, commands answered by its responder, heartbeats at its configured period, and
// its presence: online once subscribed, offline before it leaves (its will says so otherwise).
// A bricking device answers its restarting command and is never heard from again.

export interface SimulatedDevice extends DeviceAddress {
  username: string;
  password: string;
}

export interface RunningDevice {
  readonly online: boolean;
  connect(): Promise<void>;
  // Graceful: says offline, then disconnects.
  disconnect(): Promise<void>;
  // Stops acting and answering and says offline; the connection stays open until stop().
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
  // Chosen by the fleet (--progress-share, --brick-share): reports progress on its commands; dies
  // after answering success to a restarting command (device-bricking.ts).
  reportsProgress?: boolean;
  bricks?: boolean;
}

const maximumUnsentAnswers = 1000;

export function createSimulatedDevice(options: SimulatedDeviceOptions): RunningDevice {
  const { device, behaviour, stats } = options;
  const timing = derivedRandom(options.seed, `${device.deviceId}/timing`);
  let client: MqttClient | undefined;
  let halted = false;
  let bricked = false;
  // A bricked device's last connection, until it is dropped.
  let dying: MqttClient | undefined;
  const brickWatch = createBrickWatch(options.bricks ?? false);
  const saidOffline = new WeakSet<MqttClient>();
  // Answers made while no connection is open: a command can still arrive on a connection being
  // closed (its PUBACK consumed it from the session), or finish acting after it closed. They are
  // sent once the device is back; a lost connection that mqtt.js reopens queues them itself.
  const unsentAnswers: Acknowledgement[] = [];
  const sendAnswer = (acknowledgement: Acknowledgement) => {
    if (client) client.publish(deviceTopic(device, 'acks'), JSON.stringify(acknowledgement), { qos: 1 });
    else if (unsentAnswers.length < maximumUnsentAnswers) unsentAnswers.push(acknowledgement);
  };
  // QoS 1, not awaited: a graceful close waits for its PUBACK (closeSession), and MQTT keeps a
  // connection's messages in order, so the offline lands before the DISCONNECT.
  const announce = (target: MqttClient, online: boolean) => {
    if (!target.connected || (!online && saidOffline.has(target))) return;
    if (online) stats.presenceOnlineSent += 1;
    else {
      saidOffline.add(target);
      stats.presenceOfflineSent += 1;
    }
    const body = JSON.stringify({ online, at: new Date().toISOString() });
    target.publish(deviceTopic(device, 'presence'), body, { qos: 1 });
  };
  const heartbeat = createDeviceHeartbeat({
    behaviour,
    random: timing,
    stats,
    send: (body) => client?.publish(deviceTopic(device, 'heartbeats'), JSON.stringify(body), { qos: 0 }),
  });
  const responder = createCommandResponder({
    behaviour,
    latencyRandom: derivedRandom(options.seed, `${device.deviceId}/latency`),
    failureRandom: derivedRandom(options.seed, `${device.deviceId}/answers`),
    stats,
    log: options.log,
    reportsProgress: options.reportsProgress ?? false,
    execute: (envelope) => {
      brickWatch.acted(envelope);
      if (envelope.kind === 'heartbeat_update') heartbeat.applyHeartbeatUpdate(envelope);
    },
    acknowledge: (acknowledgement) => {
      if (acknowledgement.status === 'in_progress') stats.progressReportsSent += 1;
      else stats.acknowledgementsSent += 1;
      if (brickWatch.bricksAfter(acknowledgement)) brick(acknowledgement);
      else sendAnswer(acknowledgement);
    },
  });
  // The restart that never ends: no heartbeat from now on, the answer delivered (its PUBACK), then
  // the connection dropped without DISCONNECT — the broker publishes the will, as for a device
  // that died — and never reopened. Only the silence tells the service (confirm_health). A device
  // without a connection at that moment dies with its answer unsent.
  function brick(acknowledgement: Acknowledgement) {
    bricked = true;
    halted = true;
    stats.devicesBricked += 1;
    responder.stop();
    heartbeat.stop();
    dying = client;
    client = undefined;
    dying?.publish(deviceTopic(device, 'acks'), JSON.stringify(acknowledgement), { qos: 1 }, () => {
      setTimeout(() => dying?.end(true), behaviour.brickAfterMs).unref();
    });
  }
  const onMessage = (topic: string, payload: Buffer) => {
    if (topic === deviceTopic(device, 'commands')) responder.receive(payload);
    else if (topic === deviceTopic(device, 'configuration')) heartbeat.applyConfiguration(payload);
  };
  // Back after a lost connection (mqtt.js reconnects by itself): a broker that kept the session
  // kept its subscriptions; otherwise subscribe again. Then say online, as on the first connect.
  const resume = async (target: MqttClient, sessionPresent: boolean) => {
    if (!sessionPresent) await target.subscribeAsync(subscriptionsOf(device));
    if (!halted && client === target) announce(target, true);
  };
  const disconnect = async () => {
    heartbeat.stop();
    const closing = client;
    client = undefined;
    if (!closing) return;
    announce(closing, false);
    await closeSession(closing);
  };
  return {
    get online() {
      return client?.connected ?? false;
    },
    connect: async () => {
      if (client || bricked) return;
      const opening = openSession(options.url, device, timing, options.logger, onMessage);
      client = opening;
      try {
        await establishSession(opening, device);
      } catch (error) {
        client = undefined;
        throw error;
      }
      opening.on('connect', (connack) => {
        resume(opening, connack.sessionPresent).catch((error: unknown) =>
          options.logger.debug({ err: error, deviceId: device.deviceId }, 'device resubscription failed'),
        );
      });
      if (!halted) announce(opening, true);
      for (const answer of unsentAnswers.splice(0)) sendAnswer(answer);
      heartbeat.start();
    },
    disconnect,
    halt: () => {
      halted = true;
      responder.stop();
      heartbeat.stop();
      if (client) announce(client, false);
    },
    stop: async () => {
      halted = true;
      responder.stop();
      dying?.end(true);
      await disconnect();
    },
  };
}
