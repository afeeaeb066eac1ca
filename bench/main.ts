import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// npm run bench: every bench/*.bench.ts in turn, each in its own process (its own open-file
// limit, its own Temporal runtime) with its default options, output passed through.
//   npm run bench [-- --only issue-command]
const directory = fileURLToPath(new URL('.', import.meta.url));
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
const benchmarks = readdirSync(directory)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only === undefined || file === `${only}.bench.ts`)
  .sort();

let failed = 0;
for (const file of benchmarks) {
  process.stdout.write(`\n== ${file}\n`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(file, import.meta.url))], {
    stdio: 'inherit',
  });
  if (run.status !== 0) failed += 1;
  process.stdout.write(
    `== ${file}: exit ${run.status ?? run.signal} after ${Math.round((performance.now() - started) / 1000)} s\n`,
  );
}
process.exit(failed === 0 ? 0 : 1);
