import type { BrokerHarness } from '../../harness/broker-harness';
import { startEmbeddedHarness } from '../../harness/broker-harness';
import { insertCompanyWithDevices } from '../../harness/device-fixtures';
import { startMosquittoHarness } from '../../harness/mosquitto-harness';
import { startEmbeddedTopology } from './embedded-topology';
import { startEngineOnTarget, type EngineUnderTest } from './engine-under-test';
import { benchTargetKind, startTemporalTarget, type TemporalTarget } from './temporal-target';

// What issue-command runs on. By default the topology `npm start` runs (bench/support/
// embedded-topology.ts: embedded PostgreSQL, dev server, broker process or a private Mosquitto,
// worker and API processes). On the cluster (BENCH_TARGET=cluster) or with --worker-processes,
// the earlier composition: a fresh Temporal target, a broker harness on a throw-away registry,
// and the engine in this process or as several worker processes.

export interface IssueCommandStack {
  topology: 'npm start' | 'bench-composed';
  harness: BrokerHarness;
  engine: EngineUnderTest;
  target: TemporalTarget;
  stop(): Promise<void>;
}

export interface IssueCommandStackOptions {
  directory: string;
  // The broker: the stack's aedes process, or Mosquitto.
  embeddedBroker: boolean;
  workerProcesses: number | undefined;
  // The dev server's dynamic configuration over its defaults (the fairness bench's comparisons).
  temporalDynamicConfig?: Record<string, string>;
}

export async function startIssueCommandStack(options: IssueCommandStackOptions): Promise<IssueCommandStack> {
  if (benchTargetKind() === 'cluster' || options.workerProcesses) return startComposed(options);
  const topology = await startEmbeddedTopology(options.directory, {
    mosquitto: !options.embeddedBroker,
    ...(options.temporalDynamicConfig ? { temporalDynamicConfig: options.temporalDynamicConfig } : {}),
  });
  const harness: BrokerHarness = topology.mosquitto ?? {
    name: 'embedded aedes (broker process)',
    deviceUrl: topology.deviceUrl,
    serviceUrl: topology.stack.mqttUrl,
    service: { username: topology.engine.config.mqtt.serviceUsername, password: topology.stack.servicePassword },
    sharedSubscriptionGroup: undefined,
    database: topology.database,
    addCompany: (count) => insertCompanyWithDevices(topology.database, count),
    close: () => Promise.resolve(),
  };
  return {
    topology: 'npm start',
    harness,
    engine: topology.engine,
    target: topology.engine.target,
    stop: () => topology.stop(),
  };
}

async function startComposed(options: IssueCommandStackOptions): Promise<IssueCommandStack> {
  // The cluster's PostgreSQL holds the registry, so the Temporal target comes before the harness.
  const target = await startTemporalTarget(options.directory);
  const stops: (() => Promise<unknown>)[] = [() => target.stop()];
  const stop = async () => {
    for (const step of stops.splice(0)) await step().catch(() => undefined);
  };
  try {
    const harness = await (options.embeddedBroker ? startEmbeddedHarness() : startMosquittoHarness());
    stops.unshift(() => harness.close());
    const engine = await startEngineOnTarget(harness, target, options.directory, {
      ...(options.workerProcesses ? { workerProcesses: options.workerProcesses } : {}),
    });
    stops.unshift(() => engine.stop());
    return { topology: 'bench-composed', harness, engine, target, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
