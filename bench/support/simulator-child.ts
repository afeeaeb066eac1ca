import { readFileSync } from 'node:fs';
import { parseLatency } from '../../simulator/device-behaviour';
import { startSimulatedFleet } from '../../simulator/device-fleet';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import { silentLogger } from '../../harness/device-fixtures';

// A simulator in its own process, forked by simulator-process.ts: every process has its own
// open-file limit (20,000 here), and one socket per device is what bounds a simulator.
//   argv: <devices.json> <mqtt url> <latency "min,max"> [offline share 0..1]
// Messages: parent -> child 'stats' | 'stop'; child -> parent { kind, stats }.

const [devicesFile, url, latency, offlineShare] = process.argv.slice(2);
if (!devicesFile || !url || !latency || !process.send)
  throw new Error('simulator-child is forked by simulator-process.ts');
const send = (message: unknown) => process.send?.(message);
const devices = JSON.parse(readFileSync(devicesFile, 'utf8')) as SimulatedDevice[];
const fleet = await startSimulatedFleet({
  url,
  devices,
  behaviour: { latency: parseLatency(latency) },
  offlineShare: Number(offlineShare ?? 0),
  connectConcurrency: 500,
  logger: silentLogger,
});
send({ kind: 'ready', stats: fleet.stats() });
process.on('message', (message) => {
  if (message === 'stats') send({ kind: 'stats', stats: fleet.stats() });
  if (message !== 'stop') return;
  void fleet.stop().then((stats) => {
    send({ kind: 'stopped', stats });
    process.disconnect();
  });
});
