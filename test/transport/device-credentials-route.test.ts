import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import type { Client } from '@temporalio/client';
import { authenticate } from '../../api/auth/authenticate.middleware';
import { errorHandler } from '../../api/middleware/error-handler';
import { deviceCredentialsRouter } from '../../api/routes/device-credentials.routes';
import { loadConfig } from '../../config/config';
import { createFleet } from '../../registry/fleets.repository';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../transport/broker';
import { openApiFixture, type ApiFixture, type TestCompany } from '../api/api-fixture';
import { connectAsDevice, insertDevices, silentLogger, testServiceCredentials } from '../support/transport-fixtures';

describe('device credentials endpoints (fleet and one device)', () => {
  let fixture: ApiFixture;
  let app: express.Express;
  let broker: EmbeddedBroker;
  let acme: TestCompany;
  let globex: TestCompany;
  let fleetId: string;
  let syncs = 0;

  before(async () => {
    fixture = await openApiFixture();
    const dependencies = {
      config: loadConfig({}),
      database: fixture.database,
      temporal: {} as Client,
      logger: silentLogger,
      credentialsChanged: () => {
        syncs += 1;
        return Promise.resolve();
      },
    };
    app = express();
    app.use('/api/v1/platform', authenticate(fixture.database), deviceCredentialsRouter(dependencies));
    app.use(errorHandler(pino({ level: 'silent' })));
    broker = await startEmbeddedBroker({
      port: 0,
      database: fixture.database,
      serviceUsername: testServiceCredentials.username,
      servicePassword: testServiceCredentials.password,
      logger: silentLogger,
    });
    acme = await fixture.createCompanyWithUsers('Acme');
    globex = await fixture.createCompanyWithUsers('Globex');
    await insertDevices(fixture.database, acme.companyId, 3);
    fleetId = (await createFleet(fixture.database, acme.companyId, { name: 'all', criteria: {} }))._id;
  });
  after(async () => {
    await broker.close();
    await fixture.close();
  });

  const rotate = (token: string, fleet = fleetId) =>
    request(app).post(`/api/v1/platform/fleets/${fleet}/device_credentials`).set('Authorization', token);

  it('when an admin asks for a fleet, then every device gets a working credential and the old one stops working', async () => {
    const first = await rotate(acme.tokens.admin);
    assert.equal(first.status, 200);
    const credentials = first.body as { device_id: string; unique_id: string; username: string; password: string }[];
    assert.equal(credentials.length, 3);
    const device = {
      companyId: acme.companyId,
      deviceId: credentials[0]!.device_id,
      username: credentials[0]!.username,
      password: credentials[0]!.password,
    };
    const client = await connectAsDevice(broker.url, device, { clean: true });
    await client.endAsync();
    assert.equal((await rotate(acme.tokens.admin)).status, 200);
    await assert.rejects(connectAsDevice(broker.url, device, { clean: true }));
  });

  it('when an operator asks, then it answers 403', async () => {
    assert.equal((await rotate(acme.tokens.operator)).status, 403);
  });

  const rotateOne = (token: string, deviceId: string) =>
    request(app).post(`/api/v1/platform/devices/${deviceId}/credentials`).set('Authorization', token);

  it("when an admin rotates one device's credentials, then only its old ones stop working, at once, and the broker sync runs", async () => {
    const fleet = (await rotate(acme.tokens.admin)).body as { device_id: string; username: string; password: string }[];
    const [target, bystander] = fleet.map((credential) => ({
      companyId: acme.companyId,
      deviceId: credential.device_id,
      username: credential.username,
      password: credential.password,
    }));
    const syncsBefore = syncs;
    const rotated = await rotateOne(acme.tokens.admin, target!.deviceId);
    assert.equal(rotated.status, 200);
    const issued = rotated.body as Record<string, string>;
    assert.deepEqual(Object.keys(issued).sort(), ['company_id', 'device_id', 'password', 'unique_id', 'username']);
    assert.deepEqual(
      [issued.device_id, issued.company_id, issued.username],
      [target!.deviceId, acme.companyId, target!.username],
    );
    assert.equal(syncs, syncsBefore + 1);
    await assert.rejects(connectAsDevice(broker.url, target!, { clean: true }));
    const renewed = await connectAsDevice(broker.url, { ...target!, password: issued.password! }, { clean: true });
    await renewed.endAsync();
    const untouched = await connectAsDevice(broker.url, bystander!, { clean: true });
    await untouched.endAsync();
  });

  it("when one device is asked for by an operator, another company's admin or with a malformed id, then 403, 404 and 400", async () => {
    const [device] = await fixture.database.query<{ id: string }>('select id from devices where company_id = $1', [
      acme.companyId,
    ]);
    assert.equal((await rotateOne(acme.tokens.operator, device!.id)).status, 403);
    assert.equal((await rotateOne(globex.tokens.admin, device!.id)).status, 404);
    assert.equal((await rotateOne(acme.tokens.admin, 'not-an-id')).status, 400);
  });

  it("when another company's admin asks for the fleet, then it answers 404", async () => {
    assert.equal((await rotate(globex.tokens.admin)).status, 404);
  });
});
