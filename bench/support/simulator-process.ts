import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import { emptySimulatorStats, type SimulatorStats } from '../../simulator/simulator-stats';

const childPath = fileURLToPath(new URL('./simulator-child.ts', import.meta.url));

export interface SimulatorProcessesOptions {
  urls: readonly string[];
  devices: readonly SimulatedDevice[];
  latency: string;
  directory: string;
  // Share of each process's devices that never connect (the simulator's seeded spread); default 0.
  offlineShare?: number;
}

export interface SimulatorProcesses {
  stats(): Promise<SimulatorStats>;
  stop(): Promise<SimulatorStats>;
}

interface ChildMessage {
  kind: 'ready' | 'stats' | 'stopped';
  stats: SimulatorStats;
}

function nextMessage(child: ChildProcess, kind: ChildMessage['kind']): Promise<SimulatorStats> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.kind !== kind) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message.stats);
    };
    const onExit = (code: number | null) => reject(new Error(`simulator process exited (${code}) before '${kind}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export function sumStats(all: readonly SimulatorStats[]): SimulatorStats {
  const total = emptySimulatorStats();
  for (const stats of all) for (const key of Object.keys(total) as (keyof SimulatorStats)[]) total[key] += stats[key];
  return total;
}

// Splits the devices evenly over one simulator process per url (several urls may be the same
// broker), resolving once every device of every process has connected or failed to.
export async function startSimulatorProcesses(options: SimulatorProcessesOptions): Promise<SimulatorProcesses> {
  const share = Math.ceil(options.devices.length / options.urls.length);
  const children = options.urls.map((url, index) => {
    const file = path.join(options.directory, `simulated-devices-${index}.json`);
    writeFileSync(file, JSON.stringify(options.devices.slice(index * share, (index + 1) * share)), { mode: 0o600 });
    return fork(childPath, [file, url, options.latency, String(options.offlineShare ?? 0)], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
  });
  await Promise.all(children.map((child) => nextMessage(child, 'ready')));
  const ask = async (request: 'stats' | 'stop', answer: ChildMessage['kind']) =>
    sumStats(
      await Promise.all(
        // A child that already exited (killed, crashed) has nothing left to tell or stop.
        children
          .filter((child) => child.connected)
          .map((child) => {
            const reply = nextMessage(child, answer);
            child.send(request);
            return reply;
          }),
      ),
    );
  return { stats: () => ask('stats', 'stats'), stop: () => ask('stop', 'stopped') };
}
