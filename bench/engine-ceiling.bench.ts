import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ceilingPageSize, describeCeiling, measureEngineCeiling } from './support/engine-ceiling';
import { startTemporalTarget } from './support/temporal-target';

// The engine ceiling: no-op device activities completed asynchronously by id from an in-process
// completer (the product's path minus MQTT and registry), on a fresh Temporal (dev server, or the
// cluster with BENCH_TARGET=cluster). The other benches measure it again on their own server, in
// their own run, as the denominator of their devices/s. Ends with `RESULT {json}`.
//   npx tsx bench/engine-ceiling.bench.ts [--activities 5000] [--max-in-flight 200] [--open-pages 2]

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      activities: { type: 'string' },
      'max-in-flight': { type: 'string' },
      'open-pages': { type: 'string' },
    },
  });
  const maxInFlight = Math.min(500, Math.max(1, Number(values['max-in-flight'] ?? 200)));
  const directory = mkdtempSync(path.join(tmpdir(), 'fleet-bench-'));
  const target = await startTemporalTarget(directory);
  try {
    const ceiling = await measureEngineCeiling({
      address: target.address,
      namespace: target.namespace,
      activities: Math.min(100_000, Math.max(100, Number(values.activities ?? 5000))),
      maxInFlight,
      pageSize: ceilingPageSize,
      openPages: Math.min(10, Math.max(1, Number(values['open-pages'] ?? 2))),
    });
    process.stdout.write(`${target.kind}: ${describeCeiling(ceiling)}\n`);
    process.stdout.write(`RESULT ${JSON.stringify({ target: target.kind, ...ceiling })}\n`);
  } finally {
    await target.stop();
    rmSync(directory, { recursive: true, force: true });
  }
  process.exit(0);
}
