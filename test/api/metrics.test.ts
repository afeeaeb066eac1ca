import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import request from 'supertest';
import { loadConfig } from '../../config/config';
import { loopbackMetricsEndpoint, metrics } from '../../config/metrics';
import { startTemporalDevServer, type DevServer } from '../../scripts/embedded/temporal-dev-server';
import { freePort } from '../../harness/free-port';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';

const specSeries = [
  'fleet_bulk_responses_started_total',
  'fleet_bulk_responses_finished_total',
  'fleet_device_results_total',
  'fleet_devices_in_flight',
  'fleet_device_answer_seconds',
  'http_request_duration_seconds',
];

// /metrics as the embedded stack serves it: the process's own series plus the Temporal runtime's,
// read from a real Core runtime that talked to a real dev server.
describe('GET /metrics', () => {
  let devServer: DevServer;
  let connection: NativeConnection;
  let fixture: ApiFixture;
  let company: TestCompany;
  const scrape = (token = company.tokens.admin) => request(fixture.app).get('/metrics').set('Authorization', token);

  before(async () => {
    const endpoint = await loopbackMetricsEndpoint();
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { metrics: { prometheus: { bindAddress: endpoint.bindAddress } } },
    });
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    devServer = await startTemporalDevServer({
      cliPath: config.temporal.cliPath,
      port: await freePort(),
      namespace: 'default',
    });
    connection = await NativeConnection.connect({ address: devServer.address });
    await connection.workflowService.getSystemInfo({});
    fixture = await openApiFixture({ temporalMetricsUrl: endpoint.url });
    company = await fixture.createCompanyWithUsers('Scraper');
  });
  after(async () => {
    await connection.close();
    await devServer.stop();
    await fixture.close();
  });

  it('when scraped without a token, with a bad one or below admin, then it answers 401 or 403 and no series', async () => {
    const anonymous = await request(fixture.app).get('/metrics');
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.text, /Not authorized/);
    assert.equal((await scrape('not-a-token')).status, 401);
    for (const role of ['viewer', 'operator'] as const) {
      const answer = await scrape(company.tokens[role]);
      assert.equal(answer.status, 403, role);
      assert.doesNotMatch(answer.text, /fleet_/);
    }
  });

  it("when scraped with an admin's token (Bearer, as Prometheus sends it), then it answers Prometheus text with every SPEC series", async () => {
    metrics.bulkResponsesStarted.inc({ action: 'add_tags' });
    const response = await scrape(`Bearer ${company.tokens.admin}`);
    assert.equal(response.status, 200);
    assert.match(response.headers['content-type'] ?? '', /^text\/plain/);
    for (const series of specSeries) assert.match(response.text, new RegExp(`^# TYPE ${series} `, 'm'), series);
    assert.match(response.text, /^fleet_bulk_responses_started_total\{action="add_tags"\} 1$/m);
  });

  it('when the Temporal runtime has made calls, then its temporal_ series are included', async () => {
    const response = await scrape();
    assert.match(response.text, /^temporal_\w+/m);
  });

  it('when a route with an id was called, then the duration is labelled by the route template, not the URL', async () => {
    const fleetId = 'a'.repeat(24);
    const answer = await request(fixture.app)
      .get(`/api/v1/platform/fleets/${fleetId}`)
      .set('Authorization', company.tokens.viewer);
    assert.equal(answer.status, 404);
    const response = await scrape();
    assert.match(
      response.text,
      /^http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/platform\/fleets\/:id",status_code="404"\} 1$/m,
    );
    assert.doesNotMatch(response.text, /a{24}/);
  });
});
