import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config';
import { reloadMosquitto, writeMosquittoCredentials } from '../registry/mosquitto-credential-files';
import { openRegistryForCli } from './registry-cli';

const usage = 'Usage: npm run sync:mosquitto -- [--dir <MOSQUITTO_AUTH_DIR or data/mosquitto>] [--no-reload]';

// Exports the registry's device credentials and per-device ACLs into the Mosquitto directory
// written by scripts/ci/start-mosquitto.sh, then signals Mosquitto to re-read them. The API's
// credential rotation does the same for device files when MOSQUITTO_AUTH_DIR is set; run this
// after other registry changes (device creation, deletion) and periodically as a safety net.
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, 'no-reload': { type: 'boolean' } } });
  const config = loadConfig();
  const directory = path.resolve(
    values.dir ?? config.mqtt.mosquittoAuthDirectory ?? path.join(config.dataDir, 'mosquitto'),
  );
  const passwordFile = path.join(directory, 'service-password');
  const servicePassword =
    config.mqtt.servicePassword ?? (existsSync(passwordFile) ? readFileSync(passwordFile, 'utf8').trim() : undefined);
  if (!servicePassword)
    throw new Error(`No service password: set MQTT_SERVICE_PASSWORD or create ${passwordFile}. ${usage}`);
  const database = await openRegistryForCli(config);
  try {
    const { devices } = await writeMosquittoCredentials({
      database,
      directory,
      serviceUsername: config.mqtt.serviceUsername,
      servicePassword,
    });
    if (!values['no-reload']) await reloadMosquitto(directory);
    process.stdout.write(
      `Wrote credentials and ACLs of ${devices} devices to ${directory}${values['no-reload'] ? '' : ' and reloaded Mosquitto'}\n`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
