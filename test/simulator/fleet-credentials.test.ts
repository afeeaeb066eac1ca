import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import express from 'express';
import { authenticate } from '../../api/auth/authenticate.middleware';
import { errorHandler } from '../../api/middleware/error-handler';
import { deviceCredentialsRouter } from '../../api/routes/device-credentials.routes';
import { edgeIqAuthRouter } from '../../api/routes/edgeiq-auth.routes';
import { loadConfig } from '../../config/config';
import { createFleet } from '../../registry/fleets.repository';
import { startSimulatedFleet } from '../../simulator/device-fleet';
import { fetchFleetCredentials } from '../../simulator/fleet-credentials.client';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../transport/broker';
import { openApiFixture, testPassword, type ApiFixture } from '../api/api-fixture';
import { insertDevices, silentLogger, testServiceCredentials } from '../support/transport-fixtures';

describe('simulator credentials from the API', () => {
  let fixture: ApiFixture;
  let server: Server;
  let broker: EmbeddedBroker;
  let directory: string;

  before(async () => {
    fixture = await openApiFixture();
    const dependencies = {
      config: loadConfig({}),
      database: fixture.database,
      temporal: {} as Client,
      logger: silentLogger,
    };
    const app = express();
    app.use(express.json());
    app.use('/api/v1/platform', edgeIqAuthRouter(dependencies));
    app.use('/api/v1/platform', authenticate(fixture.database), deviceCredentialsRouter(dependencies));
    app.use(errorHandler(silentLogger));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    broker = await startEmbeddedBroker({
      port: 0,
      database: fixture.database,
      serviceUsername: testServiceCredentials.username,
      servicePassword: testServiceCredentials.password,
      logger: silentLogger,
    });
    directory = await mkdtemp(path.join(tmpdir(), 'simulator-credentials-'));
  });
  after(async () => {
    await broker.close();
    await new Promise((resolve) => server.close(resolve));
    await fixture.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('when the simulator logs in as the demo admin, then it gets the fleet credentials and every device connects', async () => {
    const company = await fixture.createCompanyWithUsers('Demo');
    await insertDevices(fixture.database, company.companyId, 4);
    const fleet = await createFleet(fixture.database, company.companyId, { name: 'all', criteria: {} });
    const credentialsFile = path.join(directory, 'demo-credentials.json');
    const users = [{ email: 'admin@demo.example.com', password: testPassword, role: 'admin' }];
    await writeFile(credentialsFile, JSON.stringify({ company_id: company.companyId, users, fleets: [fleet] }));
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const devices = await fetchFleetCredentials(api, credentialsFile, fleet._id);
    assert.equal(devices.length, 4);
    const simulated = await startSimulatedFleet({ url: broker.url, devices, logger: silentLogger });
    assert.equal(simulated.stats().connected, 4);
    await simulated.stop();
  });
});
