import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulatedFleet } from '../../simulator/device-fleet';
import { fetchFleetCredentials } from '../../simulator/fleet-credentials.client';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../transport/broker';
import { startMosquittoOnFreePorts } from '../../harness/mosquitto-harness';
import { silentLogger, testServiceCredentials } from '../support/transport-fixtures';
import { startCredentialsApi, type CredentialsApiHarness } from './credentials-api-harness';

describe('simulator credentials from the API', () => {
  let harness: CredentialsApiHarness;
  let broker: EmbeddedBroker;

  before(async () => {
    harness = await startCredentialsApi();
    broker = await startEmbeddedBroker({
      port: 0,
      database: harness.fixture.database,
      serviceUsername: testServiceCredentials.username,
      servicePassword: testServiceCredentials.password,
      logger: silentLogger,
    });
  });
  after(async () => {
    await broker.close();
    await harness.close();
  });

  it('when the simulator logs in as the demo admin, then it gets the fleet credentials with the company id and every device connects', async () => {
    const { fleetId, companyId, credentialsFile } = await harness.addFleet(4);
    const devices = await fetchFleetCredentials(harness.api, credentialsFile, fleetId);
    assert.equal(devices.length, 4);
    assert.ok(devices.every((device) => device.companyId === companyId));
    const simulated = await startSimulatedFleet({ url: broker.url, devices, logger: silentLogger });
    assert.equal(simulated.stats().connected, 4);
    await simulated.stop();
  });

  it('when the fleet is given by its name, then it is found in the credentials file; an unknown name lists the fleets', async () => {
    const { credentialsFile } = await harness.addFleet(2);
    assert.equal((await fetchFleetCredentials(harness.api, credentialsFile, 'ALL')).length, 2);
    await assert.rejects(fetchFleetCredentials(harness.api, credentialsFile, 'Lobby'), /no fleet named "Lobby".*"all"/);
  });
});

describe('simulator credentials against Mosquitto (scripts/ci/start-mosquitto.sh installs it)', () => {
  let harness: CredentialsApiHarness;
  let mosquittoDirectory: string;
  let deviceUrl: string;

  before(async () => {
    mosquittoDirectory = await mkdtemp(path.join(tmpdir(), 'simulator-mosquitto-'));
    const port = await startMosquittoOnFreePorts(mosquittoDirectory);
    deviceUrl = `mqtt://127.0.0.1:${port}`;
    harness = await startCredentialsApi(mosquittoDirectory);
  });
  after(async () => {
    const pid = Number((await readFile(path.join(mosquittoDirectory, 'mosquitto.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGTERM');
    await harness.close();
    await rm(mosquittoDirectory, { recursive: true, force: true });
  });

  it('when the rotation is wired to the Mosquitto sync, then rotated credentials work on Mosquitto without a separate sync', async () => {
    const { fleetId, credentialsFile } = await harness.addFleet(5);
    const devices = await fetchFleetCredentials(harness.api, credentialsFile, fleetId);
    const simulated = await startSimulatedFleet({ url: deviceUrl, devices, logger: silentLogger });
    const stats = await simulated.stop();
    assert.deepEqual([stats.connected, stats.connectFailures], [5, 0]);
    const passwords = await readFile(path.join(mosquittoDirectory, 'devices.passwd'), 'utf8');
    assert.equal(passwords.trim().split('\n').length, 5);
  });
});
