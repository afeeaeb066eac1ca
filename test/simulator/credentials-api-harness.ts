import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import express from 'express';
import { authenticate } from '../../api/auth/authenticate.middleware';
import { errorHandler } from '../../api/middleware/error-handler';
import { deviceCredentialsRouter } from '../../api/routes/device-credentials.routes';
import { edgeIqAuthRouter } from '../../api/routes/edgeiq-auth.routes';
import { loadConfig } from '../../config/config';
import { createFleet } from '../../registry/fleets.repository';
import { mosquittoCredentialSync } from '../../registry/mosquitto-credential-files';
import { openApiFixture, testPassword, type ApiFixture } from '../api/api-fixture';
import { insertDevices, silentLogger } from '../support/transport-fixtures';

// The part of the API the simulator talks to (login, fleet credentials) on a free port, with a
// demo-credentials file naming its admin, as `npm start` would have written it.
export interface CredentialsApiHarness {
  api: string;
  fixture: ApiFixture;
  directory: string;
  // A company with `count` devices in one fleet, and the credentials file of its admin.
  addFleet(count: number): Promise<{ fleetId: string; companyId: string; credentialsFile: string }>;
  close(): Promise<void>;
}

// With a Mosquitto directory, credential rotations sync it, as `npm start` wires it.
export async function startCredentialsApi(mosquittoDirectory?: string): Promise<CredentialsApiHarness> {
  const fixture = await openApiFixture();
  const dependencies = {
    config: loadConfig({}),
    database: fixture.database,
    temporal: {} as Client,
    logger: silentLogger,
    credentialsChanged: mosquittoCredentialSync(fixture.database, mosquittoDirectory),
  };
  const app = express();
  app.use(express.json());
  app.use('/api/v1/platform', edgeIqAuthRouter(dependencies));
  app.use('/api/v1/platform', authenticate(fixture.database), deviceCredentialsRouter(dependencies));
  app.use(errorHandler(silentLogger));
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const directory = await mkdtemp(path.join(tmpdir(), 'simulator-credentials-'));
  let companies = 0;
  return {
    api: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fixture,
    directory,
    addFleet: async (count) => {
      companies += 1;
      const name = `Demo${companies}`;
      const company = await fixture.createCompanyWithUsers(name);
      await insertDevices(fixture.database, company.companyId, count);
      const fleet = await createFleet(fixture.database, company.companyId, { name: 'all', criteria: {} });
      const credentialsFile = path.join(directory, `${name}-credentials.json`);
      const users = [{ email: `admin@${name.toLowerCase()}.example.com`, password: testPassword, role: 'admin' }];
      await writeFile(credentialsFile, JSON.stringify({ users, fleets: [fleet] }));
      return { fleetId: fleet._id, companyId: company.companyId, credentialsFile };
    },
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await fixture.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
