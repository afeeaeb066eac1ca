import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import request from 'supertest';
import { pino } from 'pino';
import { createApp } from '../../api/app';
import { loadConfig } from '../../config/config';
import { loopbackMetricsEndpoint, metrics } from '../../config/metrics';
import type { Database } from '../../registry/database';
import { startTemporalDevServer, type DevServer } from '../../scripts/embedded/temporal-dev-server';
import { freePort } from '../../harness/free-port';
import { openTestDatabase } from '../support/test-database';
import { openApiFixture } from './api-fixture';

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
  let database: Database;
  let devServer: DevServer;
  let connection: NativeConnection;
  let app: ReturnType<typeof createApp>;

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
    database = await openTestDatabase();
    app = createApp(
      { config, database, temporal: {} as unknown as Client, logger: pino({ level: 'silent' }) },
      { temporalMetricsUrl: endpoint.url },
    );
  });
  after(async () => {
    await connection.close();
    await devServer.stop();
    await database.close();
  });

  it('when scraped without a token, then it answers Prometheus text with every SPEC series', async () => {
    metrics.bulkResponsesStarted.inc({ action: 'add_tags' });
    const response = await request(app).get('/metrics');
    assert.equal(response.status, 200);
    assert.match(response.headers['content-type'] ?? '', /^text\/plain/);
    for (const series of specSeries) assert.match(response.text, new RegExp(`^# TYPE ${series} `, 'm'), series);
    assert.match(response.text, /^fleet_bulk_responses_started_total\{action="add_tags"\} 1$/m);
  });

  it('when the Temporal runtime has made calls, then its temporal_ series are included', async () => {
    const response = await request(app).get('/metrics');
    assert.match(response.text, /^temporal_\w+/m);
  });

  it('when a route with an id was called, then the duration is labelled by the route template, not the URL', async () => {
    const fixture = await openApiFixture();
    try {
      const company = await fixture.createCompanyWithUsers('Metrics');
      const fleetId = 'a'.repeat(24);
      const answer = await request(fixture.app)
        .get(`/api/v1/platform/fleets/${fleetId}`)
        .set('Authorization', company.tokens.viewer);
      assert.equal(answer.status, 404);
    } finally {
      await fixture.close();
    }
    const response = await request(app).get('/metrics');
    assert.match(
      response.text,
      /^http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/platform\/fleets\/:id",status_code="404"\} 1$/m,
    );
    assert.doesNotMatch(response.text, /a{24}/);
  });
});
