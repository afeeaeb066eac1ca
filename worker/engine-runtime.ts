import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import type { Database } from '../registry/database';
import { rolloutsWaitingFor } from '../registry/device-dispatch.repository';
import { connectDeviceTransport, type DeviceTransport } from '../transport/device-transport';
import { createPresenceRecorder } from '../transport/presence-recorder';
import { createAnswerRecorder } from './answer-recorder';
import { createWorker } from './create-worker';
import { createEngineObserver } from './engine-observer';
import { startAutomaticRollbacks } from './automatic-rollbacks';
import { startRolloutReconciler } from './rollout-reconciler';
import { createRolloutSignals } from './rollout-signals';

export interface EngineOptions {
  config: Config;
  database: Database;
  logger: Logger;
  mqttPassword: string | undefined;
  workflowBundle?: WorkflowBundleWithSourceMap;
  // Tests running several engines in one process give each its own broker session.
  transportClientId?: string;
  // Tests shorten the reconciler's period.
  reconcileIntervalMilliseconds?: number;
}

export interface Engine {
  worker: Worker;
  transport: DeviceTransport;
  run(): Promise<void>;
  stop(): Promise<void>;
}

// One worker process: a Temporal worker running rollouts, the device transport whose answers go
// straight to the device rows (and tell the rollout), presence fed by the devices, and the
// reconciler that ends rollouts whose execution ended outside their code.
export async function startEngine(options: EngineOptions): Promise<Engine> {
  const { config, database, logger } = options;
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const observer = createEngineObserver(logger);
  const signals = createRolloutSignals(client, database, logger);
  // The recorder publishes configurations through the transport that feeds it: wired once both exist.
  const transportReady: { current?: DeviceTransport } = {};
  const answers = createAnswerRecorder({
    database,
    transport: () => transportReady.current!,
    signals,
    observer,
    logger,
  });
  // A device that connects may have commands waiting for it: their rollouts hear it.
  const presence = createPresenceRecorder({
    database,
    logger,
    onDevicesConnected: async (deviceIds) => signals.devicesConnected(await rolloutsWaitingFor(database, deviceIds)),
    onDevicesAlive: (sightings) => answers.alive(sightings),
  });
  const transport = await connectDeviceTransport({
    url: config.mqtt.url,
    username: config.mqtt.serviceUsername,
    password: options.mqttPassword,
    clientId: options.transportClientId ?? `fleet-actions-worker-${config.workerId}`,
    persistentSession: true,
    logger,
    ...(config.mqtt.sharedSubscriptionGroup ? { sharedSubscriptionGroup: config.mqtt.sharedSubscriptionGroup } : {}),
    onAcknowledgement: (received) => answers.record(received),
    onHeartbeat: (heartbeat) => presence.record(heartbeat),
    onPresence: (received) => presence.recordPresence(received),
  });
  transportReady.current = transport;
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dependencies: {
      database,
      transport,
      allowPrivateWebhookAddresses: config.webhooks.allowPrivateAddresses,
      observer,
    },
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
  });
  const interval = options.reconcileIntervalMilliseconds
    ? { intervalMilliseconds: options.reconcileIntervalMilliseconds }
    : {};
  const reconciler = startRolloutReconciler({ database, temporal: client, logger, ...interval });
  const rollbacks = startAutomaticRollbacks({
    database,
    temporal: client,
    taskQueue: config.temporal.taskQueue,
    logger,
    ...interval,
  });
  let running: Promise<void> | undefined;
  return {
    worker,
    transport,
    run: () => (running ??= worker.run()),
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await reconciler.stop();
      await rollbacks.stop();
      await transport.close();
      await answers.close();
      await presence.close();
      await signals.close();
      await nativeConnection.close();
      await connection.close();
    },
  };
}
