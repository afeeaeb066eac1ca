import type { Logger } from 'pino';
import { createCommandLog, type CommandExecutionLog } from './command-log';
import { defaultBehaviour, type DeviceBehaviour } from './device-behaviour';
import { chooseDeviceShare } from './device-share-selection';
import { chooseOfflineDevices } from './offline-selection';
import { defaultSimulatorSeed, derivedRandom } from './seeded-random';
import { createSimulatedDevice, type RunningDevice, type SimulatedDevice } from './simulated-device';
import { emptySimulatorStats, type SimulatorStats } from './simulator-stats';

// A fleet of simulated devices in one process: the library behind `npm run simulate`, used
// in-process by integration tests and benchmarks.

export interface SimulatedFleetOptions {
  url: string;
  devices: readonly SimulatedDevice[];
  behaviour?: Partial<DeviceBehaviour>;
  // Share of devices that never connect during the run (their commands wait, then time out),
  // chosen at random through the fleet.
  offlineShare?: number;
  // Share of devices that report progress on their commands (and work behaviour.progressWorkMs on
  // them), and share that brick after answering success to a restarting command; seeded the same way.
  progressShare?: number;
  brickShare?: number;
  // Fixes the offline devices, latencies, failing answers and churn (default defaultSimulatorSeed).
  seed?: number;
  // Disconnections per minute across the fleet; each device returns after churnDowntimeMs.
  churnPerMinute?: number;
  churnDowntimeMs?: number;
  // Connections opened at once: thousands of simultaneous handshakes only slow each other.
  connectConcurrency?: number;
  logger: Logger;
}

export interface SimulatedFleet {
  // The devices kept offline, for callers that compare the engine's outcome per device.
  readonly offlineDeviceIds: ReadonlySet<string>;
  // The devices chosen to report progress and to brick (whether or not they got such a command).
  readonly progressDeviceIds: ReadonlySet<string>;
  readonly brickingDeviceIds: ReadonlySet<string>;
  stats(): SimulatorStats;
  // Each command execution of a bulk response the devices received: when, and when they acted.
  executions(bulkResponseId: string): CommandExecutionLog[];
  // Stops answering and churning at once and returns the final tally; connections stay open.
  halt(): SimulatorStats;
  // Halts (if not yet) and closes every connection.
  stop(): Promise<SimulatorStats>;
}

const connectAttempts = 3;
const connectRetryDelayMs = 1000;

// A refused first connection is retried: a broker that reloads its password file (Mosquitto
// after a credential sync) may answer "not authorized" for a moment after the rotation.
async function connectWithRetry(device: RunningDevice): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await device.connect();
    } catch (error) {
      if (attempt >= connectAttempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, connectRetryDelayMs));
    }
  }
}

async function connectAll(
  devices: readonly RunningDevice[],
  concurrency: number,
  stats: SimulatorStats,
  logger: Logger,
) {
  let next = 0;
  const worker = async () => {
    while (next < devices.length) {
      const device = devices[next++]!;
      try {
        await connectWithRetry(device);
      } catch (error) {
        stats.connectFailures += 1;
        logger.warn({ err: error }, 'simulated device could not connect');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, devices.length) }, worker));
}

function startChurn(
  devices: readonly RunningDevice[],
  options: SimulatedFleetOptions,
  stats: SimulatorStats,
  random: () => number,
) {
  const perMinute = options.churnPerMinute ?? 0;
  if (perMinute <= 0 || devices.length === 0) return () => undefined;
  const downtimeMs = options.churnDowntimeMs ?? 2000;
  const returns = new Set<NodeJS.Timeout>();
  let stopped = false;
  const churn = setInterval(() => {
    const device = devices[Math.floor(random() * devices.length)]!;
    if (!device.online) return;
    stats.reconnects += 1;
    // A graceful disconnect waits for its offline to be acknowledged: the fleet may stop meanwhile.
    void device.disconnect().then(() => {
      if (stopped) return;
      const timer = setTimeout(() => {
        returns.delete(timer);
        device.connect().catch(() => (stats.connectFailures += 1));
      }, downtimeMs);
      returns.add(timer);
    });
  }, 60_000 / perMinute);
  return () => {
    stopped = true;
    clearInterval(churn);
    for (const timer of returns) clearTimeout(timer);
  };
}

// Resolves once every device meant to be online has connected (or failed to).
export async function startSimulatedFleet(options: SimulatedFleetOptions): Promise<SimulatedFleet> {
  const behaviour: DeviceBehaviour = { ...defaultBehaviour, ...options.behaviour };
  const seed = options.seed ?? defaultSimulatorSeed;
  const stats = emptySimulatorStats();
  const log = createCommandLog();
  const offlineDeviceIds = chooseOfflineDevices(options.devices, options.offlineShare ?? 0, seed);
  const progressDeviceIds = chooseDeviceShare(options.devices, options.progressShare ?? 0, seed, 'progress');
  const brickingDeviceIds = chooseDeviceShare(options.devices, options.brickShare ?? 0, seed, 'brick');
  const running = options.devices.map((device) =>
    createSimulatedDevice({
      url: options.url,
      device,
      behaviour,
      seed,
      stats,
      log,
      logger: options.logger,
      reportsProgress: progressDeviceIds.has(device.deviceId),
      bricks: brickingDeviceIds.has(device.deviceId),
    }),
  );
  const online = running.filter((_, index) => !offlineDeviceIds.has(options.devices[index]!.deviceId));
  stats.devices = running.length;
  stats.devicesOffline = offlineDeviceIds.size;
  stats.devicesReportingProgress = progressDeviceIds.size;
  stats.devicesBrickable = brickingDeviceIds.size;
  await connectAll(online, options.connectConcurrency ?? 200, stats, options.logger);
  const stopChurn = startChurn(online, options, stats, derivedRandom(seed, 'churn'));
  const snapshot = (): SimulatorStats => ({ ...stats, connected: running.filter((device) => device.online).length });
  let final: SimulatorStats | undefined;
  const halt = (): SimulatorStats => {
    if (final) return final;
    stopChurn();
    for (const device of running) device.halt();
    final = snapshot();
    return final;
  };
  return {
    offlineDeviceIds,
    progressDeviceIds,
    brickingDeviceIds,
    stats: snapshot,
    executions: (bulkResponseId) => log.executions(`${bulkResponseId}.`),
    halt,
    stop: async () => {
      const tally = halt();
      await Promise.all(running.map((device) => device.stop()));
      return tally;
    },
  };
}
