import type { Logger } from 'pino';
import { defaultBehaviour, type DeviceBehaviour } from './device-behaviour';
import { createSimulatedDevice, type RunningDevice, type SimulatedDevice } from './simulated-device';
import { emptySimulatorStats, type SimulatorStats } from './simulator-stats';

// A fleet of simulated devices in one process: the library behind `npm run simulate`, used
// in-process by integration tests and benchmarks.

export interface SimulatedFleetOptions {
  url: string;
  devices: readonly SimulatedDevice[];
  behaviour?: Partial<DeviceBehaviour>;
  // Share of devices that never connect during the run (their commands wait, then time out).
  offlineShare?: number;
  // Disconnections per minute across the fleet; each device returns after churnDowntimeMs.
  churnPerMinute?: number;
  churnDowntimeMs?: number;
  // Connections opened at once: thousands of simultaneous handshakes only slow each other.
  connectConcurrency?: number;
  logger: Logger;
}

export interface SimulatedFleet {
  stats(): SimulatorStats;
  stop(): Promise<SimulatorStats>;
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
        await device.connect();
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
  const churn = setInterval(() => {
    const device = devices[Math.floor(random() * devices.length)]!;
    if (!device.online) return;
    stats.reconnects += 1;
    void device.disconnect().then(() => {
      const timer = setTimeout(() => {
        returns.delete(timer);
        device.connect().catch(() => (stats.connectFailures += 1));
      }, downtimeMs);
      returns.add(timer);
    });
  }, 60_000 / perMinute);
  return () => {
    clearInterval(churn);
    for (const timer of returns) clearTimeout(timer);
  };
}

// Resolves once every device meant to be online has connected (or failed to).
export async function startSimulatedFleet(options: SimulatedFleetOptions): Promise<SimulatedFleet> {
  const behaviour: DeviceBehaviour = { ...defaultBehaviour, ...options.behaviour };
  const stats = emptySimulatorStats();
  const offlineCount = Math.round((options.offlineShare ?? 0) * options.devices.length);
  const running = options.devices.map((device) =>
    createSimulatedDevice({ url: options.url, device, behaviour, stats, logger: options.logger }),
  );
  const online = running.slice(offlineCount);
  stats.devices = running.length;
  stats.devicesOffline = offlineCount;
  await connectAll(online, options.connectConcurrency ?? 200, stats, options.logger);
  const stopChurn = startChurn(online, options, stats, behaviour.random);
  const snapshot = (): SimulatorStats => ({ ...stats, connected: running.filter((device) => device.online).length });
  return {
    stats: snapshot,
    stop: async () => {
      stopChurn();
      const final = snapshot();
      await Promise.all(running.map((device) => device.stop()));
      return final;
    },
  };
}
