import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import type { Database } from '../registry/database';
import { connectDeviceTransport, type DeviceTransport } from '../transport/device-transport';
import { createPresenceRecorder } from '../transport/presence-recorder';
import { createAcknowledgementCompleter } from './acknowledgement-completer';
import { createWorker } from './create-worker';
import { createEngineObserver } from './engine-observer';
import { ensureReconcilerSchedule } from './reconciler-schedule';

export interface EngineOptions {
  config: Config;
  database: Database;
  logger: Logger;
  mqttPassword: string | undefined;
  workflowBundle?: WorkflowBundleWithSourceMap;
  // Tests running several engines in one process give each its own broker session.
  transportClientId?: string;
}

export interface Engine {
  worker: Worker;
  transport: DeviceTransport;
  run(): Promise<void>;
  stop(): Promise<void>;
}

// One worker process: a Temporal worker, the device transport whose acknowledgements complete
// the waiting activities, and the presence recorder fed by heartbeats and presence messages.
export async function startEngine(options: EngineOptions): Promise<Engine> {
  const { config, database, logger } = options;
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const presence = createPresenceRecorder({ database, logger });
  const transport = await connectDeviceTransport({
    url: config.mqtt.url,
    username: config.mqtt.serviceUsername,
    password: options.mqttPassword,
    clientId: options.transportClientId ?? `fleet-actions-worker-${config.workerId}`,
    persistentSession: true,
    logger,
    ...(config.mqtt.sharedSubscriptionGroup ? { sharedSubscriptionGroup: config.mqtt.sharedSubscriptionGroup } : {}),
    onAcknowledgement: createAcknowledgementCompleter(client, logger),
    onHeartbeat: (heartbeat) => presence.record(heartbeat),
    onPresence: (received) => presence.recordPresence(received),
  });
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dependencies: {
      database,
      transport,
      temporal: client,
      allowPrivateWebhookAddresses: config.webhooks.allowPrivateAddresses,
      observer: createEngineObserver(logger),
    },
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
  });
  await ensureReconcilerSchedule(client, config.temporal.taskQueue);
  let running: Promise<void> | undefined;
  return {
    worker,
    transport,
    run: () => (running ??= worker.run()),
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await transport.close();
      await presence.close();
      await nativeConnection.close();
      await connection.close();
    },
  };
}
