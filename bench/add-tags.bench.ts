import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmbeddedHarness } from '../harness/broker-harness';
import type { BulkResponseRecord } from '../registry/bulk-responses.repository';
import { createBenchTenant } from './support/bench-tenant';
import { startEngineOnTarget } from './support/engine-under-test';
import { largestHistory } from './support/history-sizes';
import { serveOnLoopback } from './support/http-server';
import { samplePeakMemory } from './support/peak-memory';
import { startTemporalTarget } from './support/temporal-target';

// add_tags on every device of a large fleet: a registry action (no device involved), so the
// rollout time is the engine's pages of registry updates. Devices are registry rows only. Times
// the POST until the bulk response is completed (polled every --poll-ms), then counts the devices
// that carry the tag. Goal (not asserted): 100,000 devices in <= 10 s. Ends with `RESULT {json}`.
//   npx tsx bench/add-tags.bench.ts [--devices 100000] [--minutes 5] [--poll-ms 100]

const platform = '/api/v1/platform';
const goalSeconds = 10;

function optionsFromArguments(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: { devices: { type: 'string' }, minutes: { type: 'string' }, 'poll-ms': { type: 'string' } },
  });
  return {
    devices: Math.min(200_000, Math.max(1, Number(values.devices ?? 100_000))),
    minutes: Math.min(15, Math.max(0.1, Number(values.minutes ?? 5))),
    pollMs: Math.max(20, Number(values['poll-ms'] ?? 100)),
  };
}

async function waitForCompletion(url: string, authorization: string, id: string, deadline: number, pollMs: number) {
  for (;;) {
    const response = await fetch(`${url}${platform}/bulk_responses/${id}`, {
      headers: { Authorization: authorization },
    });
    const record = (await response.json()) as BulkResponseRecord;
    if (record.completed_at || Date.now() > deadline) return record;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options = optionsFromArguments(process.argv.slice(2));
  const directory = mkdtempSync(path.join(tmpdir(), 'fleet-bench-'));
  const target = await startTemporalTarget(directory);
  const stops: (() => Promise<unknown>)[] = [() => target.stop()];
  try {
    const harness = await startEmbeddedHarness();
    stops.unshift(() => harness.close());
    const company = await harness.addCompany(options.devices);
    const tenant = await createBenchTenant(harness.database, company.companyId);
    const engine = await startEngineOnTarget(harness, target, directory);
    stops.unshift(() => engine.stop());
    if (typeof engine.app === 'string') throw new Error('add-tags runs the engine in this process');
    const server = await serveOnLoopback(engine.app);
    stops.unshift(() => server.close());
    const tag = `bench-${randomBytes(4).toString('hex')}`;
    const memory = samplePeakMemory('self');
    const started = performance.now();
    const response = await fetch(`${server.url}${platform}/fleets/${tenant.fleetId}/actions`, {
      method: 'POST',
      headers: { Authorization: tenant.authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'add_tags', tags: [tag] }),
    });
    if (response.status !== 202) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
    const { bulk_response_id: id } = (await response.json()) as { bulk_response_id: string };
    const record = await waitForCompletion(
      server.url,
      tenant.authorization,
      id,
      Date.now() + options.minutes * 60_000,
      options.pollMs,
    );
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const peakMegabytes = memory.stop().peakMegabytes;
    const tagged = await harness.database.query<{ count: string }>(
      'select count(*)::text as count from devices where company_id = $1 and $2 = any(tags)',
      [company.companyId, tag],
    );
    const history = await largestHistory(engine.temporal);
    const result = {
      target: target.kind,
      registry: 'postgres',
      devices: options.devices,
      finished: Boolean(record.completed_at),
      status: record.status,
      seconds,
      devicesPerSecond: Math.round(options.devices / seconds),
      devicesTagged: Number(tagged[0]?.count ?? 0),
      counts: record.counts,
      largestHistoryEvents: history?.events ?? null,
      largestHistoryWorkflowType: history?.workflowType ?? null,
      peakBenchProcessMegabytes: peakMegabytes,
      goalSeconds,
    };
    process.stdout.write(
      [
        `add_tags on ${options.devices} devices (${target.kind}, registry ${result.registry}):`,
        `  ${result.finished ? `${result.status} in ${seconds} s` : `NOT finished in ${seconds} s (time bound)`} -> ${result.devicesPerSecond} devices/s (goal <= ${goalSeconds} s)`,
        `  devices carrying the tag: ${result.devicesTagged}; counts ${JSON.stringify(record.counts)}`,
        `  largest history ${result.largestHistoryEvents ?? 'n/a'} events (${result.largestHistoryWorkflowType ?? 'n/a'}); peak RSS of the bench process ${peakMegabytes} MB`,
      ].join('\n') + '\n',
    );
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    for (const stop of stops)
      await stop().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
    rmSync(directory, { recursive: true, force: true });
  }
  process.exit(0);
}
