import { writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config/config';
import { createLogger } from '../config/logger';
import { openDatabase } from '../registry/database';
import { insertGeneratedCompany } from '../registry/simulated-devices.repository';
import { startSimulatedFleet } from './device-fleet';
import { fetchFleetCredentials } from './fleet-credentials.client';
import type { SimulatedDevice } from './simulated-device';
import { parseSimulatorOptions, simulatorUsage, type SimulatorOptions } from './simulator-options';

// npm run simulate: virtual devices of a fleet (or generated ones) until --duration or Ctrl-C,
// then a summary on stdout (and --summary-file) for tests and benchmarks to compare.

async function loadDevices(options: SimulatorOptions, config: Config): Promise<SimulatedDevice[]> {
  if (options.fleetId) {
    const devices = await fetchFleetCredentials(options.api, options.credentialsFile, options.fleetId);
    return options.devices === undefined ? devices : devices.slice(0, options.devices);
  }
  if (!config.registry.databaseUrl) {
    throw new Error(
      '--devices without --fleet writes devices to the registry: set DATABASE_URL (the embedded PGlite registry belongs to the running stack)',
    );
  }
  const database = await openDatabase({ databaseUrl: config.registry.databaseUrl });
  try {
    return (await insertGeneratedCompany(database, `simulator-${Date.now()}`, options.devices ?? 0)).devices;
  } finally {
    await database.close();
  }
}

function untilStopped(durationSeconds: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (durationSeconds !== undefined) setTimeout(resolve, durationSeconds * 1000).unref();
  });
}

async function simulate(options: SimulatorOptions, config: Config, logger: Logger): Promise<void> {
  const devices = await loadDevices(options, config);
  logger.info({ devices: devices.length, url: options.mqttUrl }, 'connecting simulated devices');
  const fleet = await startSimulatedFleet({
    url: options.mqttUrl,
    devices,
    behaviour: { latency: options.latency, failureRate: options.failureRate, heartbeatScale: options.heartbeatScale },
    offlineShare: options.offlineShare,
    churnPerMinute: options.churnPerMinute,
    churnDowntimeMs: options.churnDowntimeMs,
    connectConcurrency: options.connectConcurrency,
    logger,
  });
  logger.info(fleet.stats(), 'simulated fleet running');
  const progress = setInterval(() => logger.info(fleet.stats(), 'simulator progress'), 10_000);
  await untilStopped(options.durationSeconds);
  clearInterval(progress);
  const summary = await fleet.stop();
  const text = JSON.stringify(summary, null, 2);
  process.stdout.write(`${text}\n`);
  if (options.summaryFile) await writeFile(options.summaryFile, `${text}\n`);
}

const config = loadConfig();
const logger = createLogger(config.logLevel, 'simulator');
let options: SimulatorOptions;
try {
  options = parseSimulatorOptions(process.argv.slice(2), config.mqtt.deviceUrl);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${simulatorUsage}\n`);
  process.exit(2);
}
simulate(options, config, logger).then(
  () => process.exit(0),
  (error: unknown) => {
    logger.fatal({ err: error }, 'simulator failed');
    process.exit(1);
  },
);
