import { readFileSync } from 'node:fs';
import {
  emptyTally,
  runPollingClient,
  runPostingClient,
  type StatusClientsContext,
  type StatusClientsTally,
} from './status-clients';
import { StatusRegressionWatch } from './status-regression-watch';
import type { StatusClientsOutcome, StatusClientsPlan } from './status-clients-process';

// The benchmark's HTTP clients in their own process, forked by status-clients-process.ts, so the
// latencies they measure include no wait for the engine's event loop, only the API's.
//   argv: <plan.json>   Messages: child -> parent { kind: 'done', outcome }.

const [planFile] = process.argv.slice(2);
if (!planFile || !process.send) throw new Error('status-clients-child is forked by status-clients-process.ts');
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as StatusClientsPlan;
const watch = new StatusRegressionWatch();
const tally: StatusClientsTally = emptyTally();
const deadline = Date.now() + plan.minutes * 60_000;
const stopped = () => watch.finalStatusOf(plan.rolloutId) !== undefined || Date.now() > deadline;
const context: StatusClientsContext = {
  baseUrl: plan.baseUrl,
  authorization: plan.authorization,
  rolloutId: plan.rolloutId,
  smallFleetId: plan.smallFleetId,
  watch,
  stopped,
  pollThinkMs: plan.pollThinkMs,
  postThinkMs: plan.postThinkMs,
};

function reportProgress(): void {
  process.stderr.write(
    `  ... rollout ${watch.settledShown(plan.rolloutId)} settled; ${tally.singleMs.length} single, ${tally.listMs.length} list, ${tally.postsAccepted} posted (${tally.postsTooMany} x 429)\n`,
  );
}

const progress = setInterval(reportProgress, 15_000);
await Promise.all(
  Array.from({ length: plan.clients }, (_, index) =>
    index < plan.posters ? runPostingClient(context, tally) : runPollingClient(context, tally),
  ),
);
clearInterval(progress);
const outcome: StatusClientsOutcome = {
  tally,
  finalStatus: watch.finalStatusOf(plan.rolloutId) ?? null,
  backwards: watch.regressions(),
};
process.send({ kind: 'done', outcome }, () => process.disconnect());
