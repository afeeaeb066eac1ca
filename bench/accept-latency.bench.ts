import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app';
import { loadConfig } from '../config/config';
import { insertCompanyWithDevices, silentLogger } from '../harness/device-fixtures';
import { openTestDatabase } from '../harness/test-database';
import { createBenchTenant, type BenchTenant } from './support/bench-tenant';
import { serveOnLoopback } from './support/http-server';
import { summarizeLatencies, type LatencySummary } from './support/latency-summary';
import { startTemporalTarget } from './support/temporal-target';

// Accept latency of `POST /fleets/{id}/actions` (issue_command reboot) on a small and a large
// fleet in one registry and on one Temporal server: the answer must not depend on the fleet's
// size (the workflow enumerates the fleet later, page by page). Devices are registry rows only
// and no worker runs, so the figure is the API's own path: auth, fleet lookup, the bulk response
// row, the workflow start. POSTs are sequential, over real HTTP, alternating between the fleets
// in rounds so both meet the same server state. Goals (not asserted): p99 <= 25 ms, ratio <= 1.2.
//   npx tsx bench/accept-latency.bench.ts [--small 1000] [--large 100000] [--requests 300] [--warmup 20]

interface AcceptLatencyOptions {
  small: number;
  large: number;
  requests: number;
  warmup: number;
}

const roundSize = 25;
const goals = { p99Ms: 25, ratio: 1.2 };

function optionsFromArguments(argv: string[]): AcceptLatencyOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      small: { type: 'string' },
      large: { type: 'string' },
      requests: { type: 'string' },
      warmup: { type: 'string' },
    },
  });
  return {
    small: Math.min(10_000, Math.max(1, Number(values.small ?? 1000))),
    large: Math.min(200_000, Math.max(1, Number(values.large ?? 100_000))),
    requests: Math.min(5000, Math.max(10, Number(values.requests ?? 300))),
    warmup: Math.min(500, Math.max(0, Number(values.warmup ?? 20))),
  };
}

async function postAction(url: string, tenant: BenchTenant): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/api/v1/platform/fleets/${tenant.fleetId}/actions`, {
    method: 'POST',
    headers: { Authorization: tenant.authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify({ action: 'issue_command', gateway_command: 'reboot' }),
  });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== 202) throw new Error(`POST answered ${response.status}`);
  return elapsed;
}

async function measure(url: string, small: BenchTenant, large: BenchTenant, options: AcceptLatencyOptions) {
  for (let index = 0; index < options.warmup; index += 1) {
    await postAction(url, small);
    await postAction(url, large);
  }
  const smallMs: number[] = [];
  const largeMs: number[] = [];
  while (smallMs.length < options.requests) {
    const round = Math.min(roundSize, options.requests - smallMs.length);
    for (let index = 0; index < round; index += 1) smallMs.push(await postAction(url, small));
    for (let index = 0; index < round; index += 1) largeMs.push(await postAction(url, large));
  }
  return { small: summarizeLatencies(smallMs), large: summarizeLatencies(largeMs) };
}

function describe(name: string, devices: number, summary: LatencySummary): string {
  return `  ${name} fleet (${devices} devices): ${summary.requests} POSTs, p50 ${summary.p50} ms, p95 ${summary.p95} ms, p99 ${summary.p99} ms, max ${summary.max} ms`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options = optionsFromArguments(process.argv.slice(2));
  const directory = mkdtempSync(path.join(tmpdir(), 'fleet-bench-'));
  const target = await startTemporalTarget(directory);
  const stops: (() => Promise<unknown>)[] = [() => target.stop()];
  try {
    const database = await openTestDatabase();
    stops.unshift(() => database.close());
    const smallCompany = await insertCompanyWithDevices(database, options.small);
    const largeCompany = await insertCompanyWithDevices(database, options.large);
    const small = await createBenchTenant(database, smallCompany.companyId);
    const large = await createBenchTenant(database, largeCompany.companyId);
    const config = loadConfig({
      TEMPORAL_ADDRESS: target.address,
      TEMPORAL_NAMESPACE: target.namespace,
      // Nothing runs these workflows; a queue of their own keeps them away from any worker.
      TEMPORAL_TASK_QUEUE: `accept-latency-${Date.now()}`,
      // Every POST leaves its bulk response active (no worker ends it): admission must not answer 429.
      MAX_ACTIVE_BULK_RESPONSES: String(10 * (options.requests + options.warmup)),
      DATA_DIR: directory,
      LOG_LEVEL: 'silent',
    });
    const connection = await Connection.connect({ address: target.address });
    stops.unshift(() => connection.close());
    const temporal = new Client({ connection, namespace: target.namespace });
    const server = await serveOnLoopback(createApp({ config, database, temporal, logger: silentLogger }));
    stops.unshift(() => server.close());
    const latency = await measure(server.url, small, large, options);
    const ratio =
      latency.small.p99 && latency.large.p99 ? Math.round((latency.large.p99 / latency.small.p99) * 100) / 100 : null;
    process.stdout.write(
      [
        `accept latency of POST /fleets/{id}/actions (${target.kind}, registry postgres, no worker):`,
        describe('small', options.small, latency.small),
        describe('large', options.large, latency.large),
        `  p99 ratio large/small ${ratio ?? 'n/a'} (goal <= ${goals.ratio}); p99 goal <= ${goals.p99Ms} ms`,
      ].join('\n') + '\n',
    );
    const result = {
      target: target.kind,
      registry: 'postgres',
      smallDevices: options.small,
      largeDevices: options.large,
      small: latency.small,
      large: latency.large,
      p99Ratio: ratio,
      goals,
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    for (const stop of stops)
      await stop().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
    rmSync(directory, { recursive: true, force: true });
  }
  process.exit(0);
}
