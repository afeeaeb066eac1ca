import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BulkCounts, BulkStatus } from '../contracts/statuses';
import { createFleet } from '../registry/fleets.repository';
import { startEmbeddedHarness } from '../harness/broker-harness';
import { createBenchTenant } from './support/bench-tenant';
import { startEngineUnderTest } from './support/engine-under-test';
import { summarizeLatencies, type LatencySummary } from './support/latency-summary';
import {
  emptyTally,
  runPollingClient,
  runPostingClient,
  type StatusClientsContext,
  type StatusClientsTally,
} from './support/status-clients';
import { settledDevices, StatusRegressionWatch, type StatusRegression } from './support/status-regression-watch';
import { startSimulatorProcesses } from './support/simulator-process';

// Issue 11 item 3: how fast and how truthful the status view is while a large rollout runs.
// One process: the real engine and API (HTTP on a loopback port, real sockets), the embedded
// broker, simulated devices in a child process. An issue_command reboot rollout runs over the
// fleet while concurrent clients post add_tags actions on a small fleet and poll
// GET /bulk_responses/{id} and GET /bulk_responses; prints the latency percentiles, the request
// counts and whether any answer went backwards. Prints the goals, asserts nothing.
//   npx tsx bench/status-latency.bench.ts [--devices 5000] [--clients 20] [--posters 5]
//     [--minutes 5] [--poll-think-ms 100] [--post-think-ms 500] [--max-in-flight 200]
//     [--latency-ms 20,200]

export interface StatusLatencyOptions {
  devices: number;
  clients: number;
  posters: number;
  minutes: number;
  pollThinkMs: number;
  postThinkMs: number;
  maxInFlight: number;
  latency: string;
}

const goals = { singleP99Ms: 100, listP99Ms: 200, backwards: 0 };
const smallFleetDevices = 10;
// Above this many devices the embedded broker's sockets would strain this process's file limit.
const embeddedBrokerDeviceLimit = 8_000;

export interface StatusLatencyResult {
  devices: number;
  clients: { polling: number; posting: number; pollThinkMs: number; postThinkMs: number };
  rollout: { id: string; finished: boolean; status: BulkStatus | null; seconds: number; counts: BulkCounts | null };
  single: LatencySummary;
  list: LatencySummary;
  post: LatencySummary & { accepted: number; tooManyRequests: number };
  unexpected: Record<string, number>;
  backwards: { count: number; examples: StatusRegression[] };
  goals: typeof goals;
  goalsMet: { single: boolean; list: boolean; backwards: boolean };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function startRollout(baseUrl: string, authorization: string, fleetId: string, options: StatusLatencyOptions) {
  const response = await fetch(`${baseUrl}/api/v1/platform/fleets/${fleetId}/actions`, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: { max_in_flight: options.maxInFlight, device_timeout_seconds: Math.ceil(options.minutes * 60) },
    }),
  });
  if (response.status !== 202) throw new Error(`rollout not accepted: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { bulk_response_id: string }).bulk_response_id;
}

// The rollout's newest view, read straight after the clients stop (not counted in the figures).
async function lastView(baseUrl: string, authorization: string, id: string) {
  const response = await fetch(`${baseUrl}/api/v1/platform/bulk_responses/${id}`, {
    headers: { Authorization: authorization },
  });
  return response.status === 200 ? ((await response.json()) as { status: BulkStatus; counts: BulkCounts }) : null;
}

async function runClientsUntilRolloutEnds(
  context: Omit<StatusClientsContext, 'stopped'>,
  options: StatusLatencyOptions,
  tally: StatusClientsTally,
) {
  const deadline = Date.now() + options.minutes * 60_000;
  let progressAt = Date.now();
  const stopped = () => context.watch.finalStatusOf(context.rolloutId) !== undefined || Date.now() > deadline;
  const running = Array.from({ length: options.clients }, (_, index) =>
    index < options.posters
      ? runPostingClient({ ...context, stopped }, tally)
      : runPollingClient({ ...context, stopped }, tally),
  );
  while (!stopped()) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (Date.now() - progressAt > 15_000) {
      progressAt = Date.now();
      process.stderr.write(
        `  ... rollout ${context.watch.settledShown(context.rolloutId)} settled; ${tally.singleMs.length} single, ${tally.listMs.length} list, ${tally.postsAccepted} posted (${tally.postsTooMany} x 429)\n`,
      );
    }
  }
  await Promise.all(running);
}

export async function runStatusLatency(options: StatusLatencyOptions): Promise<StatusLatencyResult> {
  const directory = mkdtempSync(path.join(tmpdir(), 'fleet-bench-'));
  const harness = await startEmbeddedHarness();
  const stops: (() => Promise<unknown>)[] = [() => harness.close()];
  try {
    const company = await harness.addCompany(options.devices);
    const tenant = await createBenchTenant(harness.database, company.companyId);
    const smallFleet = await createFleet(harness.database, company.companyId, {
      name: 'status-latency small fleet',
      criteria: { unique_ids: company.devices.slice(0, smallFleetDevices).map((device) => `sim-${device.deviceId}`) },
    });
    const engine = await startEngineUnderTest(harness, directory);
    stops.unshift(() => engine.stop());
    const server = createServer(engine.app);
    stops.unshift(() => closeServer(server));
    const baseUrl = await listen(server);
    const simulator = await startSimulatorProcesses({
      urls: [harness.deviceUrl],
      devices: company.devices,
      latency: options.latency,
      directory,
    });
    stops.unshift(() => simulator.stop());
    const started = performance.now();
    const rolloutId = await startRollout(baseUrl, tenant.authorization, tenant.fleetId, options);
    const watch = new StatusRegressionWatch();
    const tally = emptyTally();
    await runClientsUntilRolloutEnds(
      {
        baseUrl,
        authorization: tenant.authorization,
        rolloutId,
        smallFleetId: smallFleet._id,
        watch,
        pollThinkMs: options.pollThinkMs,
        postThinkMs: options.postThinkMs,
      },
      options,
      tally,
    );
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const view = await lastView(baseUrl, tenant.authorization, rolloutId);
    const single = summarizeLatencies(tally.singleMs);
    const list = summarizeLatencies(tally.listMs);
    const backwards = watch.regressions();
    return {
      devices: options.devices,
      clients: {
        polling: options.clients - options.posters,
        posting: options.posters,
        pollThinkMs: options.pollThinkMs,
        postThinkMs: options.postThinkMs,
      },
      rollout: {
        id: rolloutId,
        finished: watch.finalStatusOf(rolloutId) !== undefined,
        status: view?.status ?? null,
        seconds,
        counts: view?.counts ?? null,
      },
      single,
      list,
      post: { ...summarizeLatencies(tally.postMs), accepted: tally.postsAccepted, tooManyRequests: tally.postsTooMany },
      unexpected: tally.unexpected,
      backwards,
      goals,
      goalsMet: {
        single: single.p99 !== null && single.p99 <= goals.singleP99Ms,
        list: list.p99 !== null && list.p99 <= goals.listP99Ms,
        backwards: backwards.count <= goals.backwards,
      },
    };
  } finally {
    for (const stop of stops)
      await stop().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
    rmSync(directory, { recursive: true, force: true });
  }
}

function optionsFromArguments(argv: string[]): StatusLatencyOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string' },
      clients: { type: 'string' },
      posters: { type: 'string' },
      minutes: { type: 'string' },
      'poll-think-ms': { type: 'string' },
      'post-think-ms': { type: 'string' },
      'max-in-flight': { type: 'string' },
      'latency-ms': { type: 'string' },
    },
  });
  const devices = Number(values.devices ?? 5000);
  if (!Number.isInteger(devices) || devices < smallFleetDevices || devices > embeddedBrokerDeviceLimit)
    throw new Error(`--devices is a count from ${smallFleetDevices} to ${embeddedBrokerDeviceLimit}`);
  const clients = Math.min(100, Math.max(2, Number(values.clients ?? 20)));
  return {
    devices,
    clients,
    posters: Math.min(clients - 1, Math.max(0, Number(values.posters ?? 5))),
    minutes: Math.min(5, Math.max(0.5, Number(values.minutes ?? 5))),
    pollThinkMs: Math.max(0, Number(values['poll-think-ms'] ?? 100)),
    postThinkMs: Math.max(0, Number(values['post-think-ms'] ?? 500)),
    maxInFlight: Math.min(500, Number(values['max-in-flight'] ?? 200)),
    latency: values['latency-ms'] ?? '20,200',
  };
}

function describeLatency(name: string, summary: LatencySummary, goalMs?: number): string {
  const goal =
    goalMs === undefined
      ? ''
      : ` (goal p99 <= ${goalMs} ms: ${summary.p99 !== null && summary.p99 <= goalMs ? 'met' : 'NOT met'})`;
  return `  ${name}: ${summary.requests} requests, p50 ${summary.p50} ms, p95 ${summary.p95} ms, p99 ${summary.p99} ms, max ${summary.max} ms${goal}`;
}

export function describeResult(result: StatusLatencyResult): string {
  const { rollout, clients } = result;
  const settled = rollout.counts ? settledDevices(rollout.counts) : 0;
  return [
    `status latency during issue_command reboot on ${result.devices} devices (${clients.polling} polling clients every ${clients.pollThinkMs} ms, ${clients.posting} posting add_tags every ${clients.postThinkMs} ms):`,
    `  rollout ${rollout.finished ? `ended ${rollout.status}` : `NOT ended (time bound), ${rollout.status}`} after ${rollout.seconds} s, ${settled} of ${rollout.counts?.total ?? '?'} devices settled`,
    describeLatency('GET /bulk_responses/{id}', result.single, result.goals.singleP99Ms),
    describeLatency('GET /bulk_responses', result.list, result.goals.listP99Ms),
    describeLatency('POST /fleets/{id}/actions', result.post),
    `  posts: ${result.post.accepted} accepted (202), ${result.post.tooManyRequests} refused by admission (429)`,
    `  unexpected answers: ${JSON.stringify(result.unexpected)}`,
    `  answers that went backwards: ${result.backwards.count} (goal 0: ${result.goalsMet.backwards ? 'met' : 'NOT met'})`,
    ...result.backwards.examples.map((example) => `    ${JSON.stringify(example)}`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runStatusLatency(optionsFromArguments(process.argv.slice(2)));
  process.stdout.write(`${describeResult(result)}\nRESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}
