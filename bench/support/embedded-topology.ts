import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../config/config';
import { silentLogger } from '../../harness/device-fixtures';
import { freePort } from '../../harness/free-port';
import { startMosquittoHarness } from '../../harness/mosquitto-harness';
import type { BrokerHarness } from '../../harness/broker-harness';
import type { TestDatabase } from '../../harness/test-database';
import { openDatabase } from '../../registry/database';
import { createEmbeddedStack, type StartedStack } from '../../scripts/embedded/stack';
import type { EngineUnderTest } from './engine-under-test';

// The topology `npm start` runs (scripts/embedded/stack.ts), for the benches: the embedded
// PostgreSQL, a Temporal dev server, the broker process, and the worker and the API as their own
// processes, in a temporary directory on free ports, no demo seed, each service's log in the
// directory. With `mosquitto`, a private Mosquitto on the stack's registry takes the broker's
// place (fleets beyond what one aedes process holds).

export interface EmbeddedTopology {
  stack: StartedStack;
  // The stack's registry, as the services see it.
  database: TestDatabase;
  deviceUrl: string;
  // Mosquitto's harness (credential sync for added devices), when it is the broker.
  mosquitto: BrokerHarness | undefined;
  engine: EngineUnderTest;
  stop(): Promise<void>;
}

export interface EmbeddedTopologyOptions {
  // Extra configuration for the services, e.g. MAX_ACTIVE_BULK_RESPONSES.
  environment?: Record<string, string>;
  mosquitto?: boolean;
  // The dev server's dynamic configuration over its defaults (a bench comparing matchers).
  temporalDynamicConfig?: Record<string, string>;
}

async function stackEnvironment(directory: string, extra: Record<string, string>): Promise<Record<string, string>> {
  return {
    DATA_DIR: directory,
    PORT: String(await freePort()),
    MQTT_PORT: String(await freePort()),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: '0',
    WORKER_METRICS_PORT: String(await freePort()),
    REGISTRY_PORT: String(await freePort()),
    TEMPORAL_CLI_PATH: loadConfig().temporal.cliPath,
    SEED_DEMO_ON_START: 'false',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export async function startEmbeddedTopology(
  directory: string,
  options: EmbeddedTopologyOptions = {},
): Promise<EmbeddedTopology> {
  const environment = await stackEnvironment(directory, options.environment ?? {});
  const config = loadConfig(environment);
  let mosquitto: BrokerHarness | undefined;
  const stack = createEmbeddedStack({
    config,
    environment,
    logger: silentLogger,
    output: { directory },
    ...(options.temporalDynamicConfig ? { temporalDynamicConfig: options.temporalDynamicConfig } : {}),
    ...(options.mosquitto
      ? {
          externalBroker: async ({ databaseUrl }) => {
            const registry = await openDatabase({ databaseUrl });
            mosquitto = await startMosquittoHarness({ ...registry, url: databaseUrl });
            return { url: mosquitto.serviceUrl, ...mosquitto.service, sharedSubscriptions: true };
          },
        }
      : {}),
  });
  const stops: (() => Promise<unknown>)[] = [() => stack.stop()];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const started = await stack.start();
    stops.push(async () => mosquitto?.close());
    const database: TestDatabase = mosquitto?.database ?? {
      ...(await openDatabase({ databaseUrl: started.databaseUrl })),
      url: started.databaseUrl,
    };
    if (!mosquitto) stops.push(() => database.close());
    const connection = await Connection.connect({ address: started.temporalAddress });
    stops.push(() => connection.close());
    const engine: EngineUnderTest = {
      app: started.apiUrl,
      temporal: new Client({ connection, namespace: config.temporal.namespace }),
      target: {
        kind: 'dev server',
        address: started.temporalAddress,
        namespace: config.temporal.namespace,
        serverPid: started.pids.temporal ?? 0,
        stop: () => Promise.resolve(),
      },
      config,
      workerPids: [started.pids.worker ?? 0],
      apiPid: started.pids.api ?? 0,
      stop: () => Promise.resolve(),
    };
    return { stack: started, database, deviceUrl: mosquitto?.deviceUrl ?? started.mqttUrl, mosquitto, engine, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
