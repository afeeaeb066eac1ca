import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../config/config';
import { silentLogger, testServiceCredentials } from '../../harness/device-fixtures';
import { freePort } from '../../harness/free-port';
import { openTestDatabase, type TestDatabase } from '../../harness/test-database';
import { startTemporalDevServer, type DevServer } from '../../scripts/embedded/temporal-dev-server';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../transport/broker';

const startupDeadlineMs = 90_000;
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function scrapeUntil(url: string, ready: (text: string) => boolean, worker: ChildProcess, output: () => string) {
  const deadline = Date.now() + startupDeadlineMs;
  let last = '';
  while (Date.now() < deadline) {
    if (worker.exitCode !== null) throw new Error(`worker exited (${worker.exitCode}): ${output()}`);
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(2000) });
      last = await answer.text();
      if (answer.ok && ready(last)) return last;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error(
    `no complete metrics within ${startupDeadlineMs} ms; last scrape:\n${last.slice(0, 2000)}\n${output()}`,
  );
}

// `npm run start:worker` as its own process (the production topology) against a dev server, an
// embedded broker and its own registry directory, scraped the way Prometheus would.
describe('standalone worker metrics (worker process, dev server, broker)', () => {
  let devServer: DevServer;
  let database: TestDatabase;
  let broker: EmbeddedBroker;
  let worker: ChildProcess;
  let workerOutput = '';
  let metricsUrl: string;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fleet-worker-metrics-'));

  before(async () => {
    const temporalPort = await freePort();
    devServer = await startTemporalDevServer({
      cliPath: loadConfig().temporal.cliPath,
      port: temporalPort,
      namespace: 'default',
    });
    database = await openTestDatabase();
    broker = await startEmbeddedBroker({
      port: 0,
      database,
      serviceUsername: testServiceCredentials.username,
      servicePassword: testServiceCredentials.password,
      logger: silentLogger,
    });
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    worker = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: devServer.address,
        TEMPORAL_TASK_QUEUE: 'worker-metrics-test',
        MQTT_URL: broker.url,
        MQTT_SERVICE_USERNAME: testServiceCredentials.username,
        MQTT_SERVICE_PASSWORD: testServiceCredentials.password,
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        WORKER_ID: 'worker-metrics-test',
        WORKER_METRICS_PORT: String(metricsPort),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      workerOutput = (workerOutput + chunk.toString()).slice(-4000);
    };
    worker.stdout?.on('data', keep);
    worker.stderr?.on('data', keep);
  });

  after(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000)]);
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
    await broker?.close();
    await database?.close();
    await devServer?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when the worker runs, then its metrics port serves the engine series and the Temporal SDK worker metrics', async () => {
    const text = await scrapeUntil(
      metricsUrl,
      (scraped) => /^temporal_\w+/m.test(scraped) && scraped.includes('worker-metrics-test'),
      worker,
      () => workerOutput,
    );
    for (const series of [
      'fleet_bulk_responses_started_total',
      'fleet_bulk_responses_finished_total',
      'fleet_device_results_total',
      'fleet_devices_in_flight',
      'fleet_device_answer_seconds',
      'process_cpu_user_seconds_total',
    ])
      assert.match(text, new RegExp(`^# TYPE ${series} `, 'm'), `${series} is exported`);
    assert.match(text, /^temporal_\w+\{[^}]*task_queue="worker-metrics-test"/m, 'SDK worker metrics of its task queue');
  });

  it('when the worker is told to stop, then it exits cleanly and the metrics port closes', async () => {
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    assert.equal(await exited, 0, workerOutput);
    await assert.rejects(fetch(metricsUrl, { signal: AbortSignal.timeout(2000) }));
  });
});
