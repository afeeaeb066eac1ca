import path from 'node:path';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config/config';
import { createLogger } from '../config/logger';
import { openDatabase } from '../registry/database';
import { insertGeneratedCompany } from '../registry/simulated-devices.repository';
import { startSimulatedFleet } from './device-fleet';
import { fetchFleetCredentials } from './fleet-credentials.client';
import { firstShutdownSignal } from './shutdown-signal';
import type { SimulatedDevice } from './simulated-device';
import { parseSimulatorOptions, simulatorUsage, type SimulatorOptions } from './simulator-options';
import { writeSummary } from './summary-output';

// npm run simulate: virtual devices of a fleet (or generated ones) until --duration or a signal,
// then a summary on stdout (and --summary-file) for tests and benchmarks to compare.

const closeTimeoutMs = 5000;

async function loadDevices(options: SimulatorOptions, config: Config): Promise<SimulatedDevice[]> {
  if (options.fleetId) {
    const devices = await fetchFleetCredentials(options.api, options.credentialsFile, options.fleetId);
    return options.devices === undefined ? devices : devices.slice(0, options.devices);
  }
  // --devices without --fleet writes devices to the registry: DATABASE_URL's, or npm start's.
  const database = await openDatabase(config.registry);
  try {
    return (await insertGeneratedCompany(database, `simulator-${Date.now()}`, options.devices ?? 0)).devices;
  } finally {
    await database.close();
  }
}

function untilStopped(signal: Promise<unknown>, durationSeconds: number | undefined): Promise<unknown> {
  if (durationSeconds === undefined) return signal;
  return Promise.race([signal, new Promise((resolve) => setTimeout(resolve, durationSeconds * 1000).unref())]);
}

async function simulate(options: SimulatorOptions, config: Config, logger: Logger): Promise<void> {
  // Listening before anything else, so a signal during the set-up is handled once too: with no
  // fleet running yet there is nothing to tally, and connecting could take its timeouts.
  let running = false;
  const signal = firstShutdownSignal();
  void signal.then((received) => {
    if (running) return;
    logger.warn({ signal: received }, 'stopped before the simulated fleet was running');
    process.exit(130);
  });
  const devices = await loadDevices(options, config);
  logger.info({ devices: devices.length, url: options.mqttUrl, seed: options.seed }, 'connecting simulated devices');
  const fleet = await startSimulatedFleet({
    url: options.mqttUrl,
    devices,
    behaviour: {
      latency: options.latency,
      failureRate: options.failureRate,
      heartbeatScale: options.heartbeatScale,
      progressWorkMs: options.progressWorkMs,
      brickAfterMs: options.brickAfterMs,
    },
    offlineShare: options.offlineShare,
    progressShare: options.progressShare,
    brickShare: options.brickShare,
    seed: options.seed,
    churnPerMinute: options.churnPerMinute,
    churnDowntimeMs: options.churnDowntimeMs,
    connectConcurrency: options.connectConcurrency,
    logger,
  });
  running = true;
  logger.info(fleet.stats(), 'simulated fleet running');
  const progress = setInterval(() => logger.info(fleet.stats(), 'simulator progress'), 10_000);
  await untilStopped(signal, options.durationSeconds);
  clearInterval(progress);
  writeSummary(fleet.halt(), options.summaryFile);
  await Promise.race([fleet.stop(), new Promise((resolve) => setTimeout(resolve, closeTimeoutMs).unref())]);
}

const config = loadConfig();
const logger = createLogger(config.logLevel, 'simulator');
const demoCredentials = path.join(config.dataDir, 'demo-credentials.json');
const shortCredentials = path.relative(process.cwd(), demoCredentials);
const defaults = {
  apiUrl: `http://127.0.0.1:${config.api.port}`,
  mqttUrl: config.mqtt.deviceUrl,
  credentialsFile: shortCredentials.startsWith('..') ? demoCredentials : shortCredentials,
};
let command: ReturnType<typeof parseSimulatorOptions>;
try {
  command = parseSimulatorOptions(process.argv.slice(2), defaults);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${simulatorUsage(defaults)}\n`);
  process.exit(2);
}
if (command.help) {
  process.stdout.write(`${simulatorUsage(defaults)}\n`);
  process.exit(0);
}
simulate(command, config, logger).then(
  () => process.exit(0),
  (error: unknown) => {
    logger.fatal({ err: error }, 'simulator failed');
    process.exit(1);
  },
);
