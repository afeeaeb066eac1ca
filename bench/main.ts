import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { childEnvironment, loadConfig } from '../config/config';
import { startRegistryProcess } from '../harness/registry-process';

// npm run bench: every bench/*.bench.ts in turn, each in its own process (its own open-file
// limit, its own Temporal runtime) with its default options, output passed through. With
// --cluster (`npm run bench:cluster`) each bench runs on a fresh `npm run cluster` (Temporal on
// PostgreSQL, the registry on the same PostgreSQL) instead of the dev server. Benches that keep a
// throw-away registry on DATABASE_URL's server get one embedded PostgreSQL for the whole run when
// it is unset (issue-command and status-latency start the `npm start` stack, registry included).
// With --only, the arguments after the runner's own go to that bench (its options).
//   npm run bench [-- --only issue-command] [-- --cluster]
//   npm run bench -- --only fairness --big-devices 5000
const directory = fileURLToPath(new URL('.', import.meta.url));
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
const benchmarks = readdirSync(directory)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only === undefined || file === `${only}.bench.ts`)
  .sort();
const cluster = process.argv.includes('--cluster');
const benchArguments =
  only === undefined
    ? []
    : process.argv
        .slice(2)
        .filter(
          (argument, index, all) => argument !== '--cluster' && argument !== '--only' && all[index - 1] !== '--only',
        );
const registry = cluster || loadConfig().registry.databaseUrl ? undefined : await startRegistryProcess();
const environment = childEnvironment({
  ...(cluster ? { BENCH_TARGET: 'cluster' } : {}),
  ...(registry ? { DATABASE_URL: registry.url } : {}),
});

let failed = 0;
for (const file of benchmarks) {
  process.stdout.write(`\n== ${file}\n`);
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...benchArguments],
    {
      stdio: 'inherit',
      env: environment,
    },
  );
  if (run.status !== 0) failed += 1;
  process.stdout.write(
    `== ${file}: exit ${run.status ?? run.signal} after ${Math.round((performance.now() - started) / 1000)} s\n`,
  );
}
await registry?.stop();
process.exit(failed === 0 ? 0 : 1);
