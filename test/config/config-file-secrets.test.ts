import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../config/config';

describe('secrets from files (X_FILE)', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'config-secrets-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('when DATABASE_URL_FILE and MQTT_SERVICE_PASSWORD_FILE name files, then their contents are the values without the trailing newline', async () => {
    const urlFile = path.join(directory, 'database-url');
    const passwordFile = path.join(directory, 'mqtt-password');
    await writeFile(urlFile, 'postgres://fleet:s3cret@127.0.0.1:5432/fleet_registry\n');
    await writeFile(passwordFile, 'broker-secret\n');
    const config = loadConfig({ DATABASE_URL_FILE: urlFile, MQTT_SERVICE_PASSWORD_FILE: passwordFile });
    assert.equal(config.registry.databaseUrl, 'postgres://fleet:s3cret@127.0.0.1:5432/fleet_registry');
    assert.equal(config.mqtt.servicePassword, 'broker-secret');
  });

  it('when both X and X_FILE are set, then loading fails naming the variable', async () => {
    const passwordFile = path.join(directory, 'both');
    await writeFile(passwordFile, 'from-file');
    assert.throws(
      () => loadConfig({ MQTT_SERVICE_PASSWORD: 'inline', MQTT_SERVICE_PASSWORD_FILE: passwordFile }),
      /MQTT_SERVICE_PASSWORD or MQTT_SERVICE_PASSWORD_FILE/,
    );
  });

  it('when X_FILE names a missing file, then loading fails naming the variable and the path', () => {
    const missing = path.join(directory, 'absent');
    assert.throws(
      () => loadConfig({ DATABASE_URL_FILE: missing }),
      (error: Error) => {
        assert.match(error.message, /DATABASE_URL_FILE/);
        assert.ok(error.message.includes(missing));
        return true;
      },
    );
  });
});
