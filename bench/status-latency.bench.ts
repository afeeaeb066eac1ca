import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BulkCounts, BulkStatus } from '../contracts/statuses';
import { insertCompanyWithDevices } from '../harness/device-fixtures';
import { createFleet } from '../registry/fleets.repository';
import { createBenchTenant } from './support/bench-tenant';
import { summarizeLatencies, type LatencySummary } from './support/latency-summary';
import { startSimulatorProcesses } from './support/simulator-process';
import { runStatusClientsProcess } from './support/status-clients-process';
import { settledDevices, type StatusRegression } from './support/status-regression-watch';
import { readStatusServerMetrics, type StatusServerMetrics } from './support/status-server-metrics';
import { startStatusStack, type StatusTopology } from './support/status-stack';

// Issue 11 item 3: how fast and how truthful the status view is while a large rollout runs.
// The service as `npm start` runs it (`--topology embedded`, the default: scripts/embedded/stack.ts,
// registry, broker, worker and API each its own process) or as deployed (`--topology split`:
// the registry on DATABASE_URL's server, the broker in the bench process, worker and API
// processes); simulated devices in child processes; the HTTP clients in a process of their own, so what they measure
// is the API and not a wait for another event loop. An issue_command reboot rollout runs over
// the fleet while concurrent clients post add_tags actions on a small fleet and poll
// GET /bulk_responses/{id} and GET /bulk_responses; prints the latency percentiles, the request
// counts and whether any answer went backwards. Asserts nothing.
//   npx tsx bench/status-latency.bench.ts [--topology split|embedded] [--devices 5000]
//     [--clients 20] [--posters 5] [--minutes 5] [--poll-think-ms 100] [--post-think-ms 500]
//     [--max-in-flight 200] [--latency-ms 20,200] [--rollout-niceness <0-19, npm start's default>]

export interface StatusLatencyOptions {
  topology: StatusTopology;
  devices: number;
  clients: number;
  posters: number;
  minutes: number;
  pollThinkMs: number;
  postThinkMs: number;
  maxInFlight: number;
  latency: string;
  // The embedded topology's ROLLOUT_WORK_NICENESS; undefined: what `npm start` uses.
  rolloutNiceness: number | undefined;
}

const goals = { singleP99Ms: 100, listP99Ms: 200, backwards: 0 };
const smallFleetDevices = 10;
// Above this many devices the embedded broker's sockets would strain this process's file limit.
const embeddedBrokerDeviceLimit = 8_000;

export interface StatusLatencyResult {
  topology: StatusTopology;
  // --rollout-niceness; null: npm start's default.
  rolloutNiceness: number | null;
  devices: number;
  clients: { polling: number; posting: number; pollThinkMs: number; postThinkMs: number };
  rollout: { id: string; finished: boolean; status: BulkStatus | null; seconds: number; counts: BulkCounts | null };
  single: LatencySummary;
  list: LatencySummary;
  post: LatencySummary & { accepted: number; tooManyRequests: number };
  unexpected: Record<string, number>;
  // The API's own view of the same requests (null if its /metrics did not answer).
  server: StatusServerMetrics | null;
  backwards: { count: number; examples: StatusRegression[] };
  // Worker log lines saying a task completion found its task gone (null: no worker log kept).
  workerTaskNotFound: number | null;
  goals: typeof goals;
  goalsMet: { single: boolean; list: boolean; backwards: boolean };
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

function countTaskNotFound(logFile: string): number {
  if (!existsSync(logFile)) return 0;
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => /task not found/i.test(line)).length;
}

export async function runStatusLatency(options: StatusLatencyOptions): Promise<StatusLatencyResult> {
  const directory = mkdtempSync(path.join(tmpdir(), 'fleet-bench-'));
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const stack = await startStatusStack(options.topology, directory, options.rolloutNiceness);
    stops.unshift(() => stack.stop());
    const company = await insertCompanyWithDevices(stack.database, options.devices);
    const tenant = await createBenchTenant(stack.database, company.companyId);
    const smallFleet = await createFleet(stack.database, company.companyId, {
      name: 'status-latency small fleet',
      criteria: { unique_ids: company.devices.slice(0, smallFleetDevices).map((device) => `sim-${device.deviceId}`) },
    });
    const simulator = await startSimulatorProcesses({
      urls: [stack.deviceUrl],
      devices: company.devices,
      latency: options.latency,
      directory,
    });
    stops.unshift(() => simulator.stop());
    const started = performance.now();
    const rolloutId = await startRollout(stack.baseUrl, tenant.authorization, tenant.fleetId, options);
    const { tally, finalStatus, backwards } = await runStatusClientsProcess(
      {
        baseUrl: stack.baseUrl,
        authorization: tenant.authorization,
        rolloutId,
        smallFleetId: smallFleet._id,
        clients: options.clients,
        posters: options.posters,
        minutes: options.minutes,
        pollThinkMs: options.pollThinkMs,
        postThinkMs: options.postThinkMs,
      },
      directory,
    );
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const view = await lastView(stack.baseUrl, tenant.authorization, rolloutId);
    const server = await readStatusServerMetrics(stack.baseUrl, tenant.metricsAuthorization);
    const workerTaskNotFound = stack.workerLogFile ? countTaskNotFound(stack.workerLogFile) : null;
    const single = summarizeLatencies(tally.singleMs);
    const list = summarizeLatencies(tally.listMs);
    return {
      topology: options.topology,
      rolloutNiceness: options.rolloutNiceness ?? null,
      devices: options.devices,
      clients: {
        polling: options.clients - options.posters,
        posting: options.posters,
        pollThinkMs: options.pollThinkMs,
        postThinkMs: options.postThinkMs,
      },
      rollout: {
        id: rolloutId,
        finished: finalStatus !== null,
        status: view?.status ?? null,
        seconds,
        counts: view?.counts ?? null,
      },
      single,
      list,
      post: { ...summarizeLatencies(tally.postMs), accepted: tally.postsAccepted, tooManyRequests: tally.postsTooMany },
      unexpected: tally.unexpected,
      server,
      backwards,
      workerTaskNotFound,
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
      topology: { type: 'string' },
      devices: { type: 'string' },
      clients: { type: 'string' },
      posters: { type: 'string' },
      minutes: { type: 'string' },
      'poll-think-ms': { type: 'string' },
      'post-think-ms': { type: 'string' },
      'max-in-flight': { type: 'string' },
      'latency-ms': { type: 'string' },
      'rollout-niceness': { type: 'string' },
    },
  });
  const devices = Number(values.devices ?? 5000);
  if (!Number.isInteger(devices) || devices < smallFleetDevices || devices > embeddedBrokerDeviceLimit)
    throw new Error(`--devices is a count from ${smallFleetDevices} to ${embeddedBrokerDeviceLimit}`);
  const clients = Math.min(100, Math.max(2, Number(values.clients ?? 20)));
  const topology = values.topology ?? 'embedded';
  if (topology !== 'split' && topology !== 'embedded') throw new Error('--topology is split or embedded');
  return {
    topology,
    devices,
    clients,
    posters: Math.min(clients - 1, Math.max(0, Number(values.posters ?? 5))),
    minutes: Math.min(5, Math.max(0.5, Number(values.minutes ?? 5))),
    pollThinkMs: Math.max(0, Number(values['poll-think-ms'] ?? 100)),
    postThinkMs: Math.max(0, Number(values['post-think-ms'] ?? 500)),
    maxInFlight: Math.min(500, Number(values['max-in-flight'] ?? 200)),
    latency: values['latency-ms'] ?? '20,200',
    rolloutNiceness: values['rollout-niceness'] === undefined ? undefined : Number(values['rollout-niceness']),
  };
}

function describeLatency(name: string, summary: LatencySummary, goalMs?: number): string {
  const goal =
    goalMs === undefined
      ? ''
      : ` (goal p99 <= ${goalMs} ms: ${summary.p99 !== null && summary.p99 <= goalMs ? 'met' : 'NOT met'})`;
  return `  ${name}: ${summary.requests} requests, p50 ${summary.p50} ms, p95 ${summary.p95} ms, p99 ${summary.p99} ms, max ${summary.max} ms${goal}`;
}

function describeServer(server: StatusServerMetrics | null): string[] {
  if (!server) return ['  API /metrics: no answer'];
  const { mean, p99, max } = server.eventLoopLagMs;
  return [
    `  API-side, answered within (single GET): ${JSON.stringify(server.single.within)}; (list): ${JSON.stringify(server.list.within)}`,
    `  API event loop lag: mean ${mean} ms, p99 ${p99} ms, max ${max} ms`,
  ];
}

export function describeResult(result: StatusLatencyResult): string {
  const { rollout, clients } = result;
  const settled = rollout.counts ? settledDevices(rollout.counts) : 0;
  return [
    `status latency (${result.topology} topology) during issue_command reboot on ${result.devices} devices (${clients.polling} polling clients every ${clients.pollThinkMs} ms, ${clients.posting} posting add_tags every ${clients.postThinkMs} ms):`,
    `  rollout ${rollout.finished ? `ended ${rollout.status}` : `NOT ended (time bound), ${rollout.status}`} after ${rollout.seconds} s, ${settled} of ${rollout.counts?.total ?? '?'} devices settled`,
    describeLatency('GET /bulk_responses/{id}', result.single, result.goals.singleP99Ms),
    describeLatency('GET /bulk_responses', result.list, result.goals.listP99Ms),
    describeLatency('POST /fleets/{id}/actions', result.post),
    `  posts: ${result.post.accepted} accepted (202), ${result.post.tooManyRequests} refused by admission (429)`,
    `  unexpected answers: ${JSON.stringify(result.unexpected)}`,
    ...describeServer(result.server),
    `  answers that went backwards: ${result.backwards.count} (goal 0: ${result.goalsMet.backwards ? 'met' : 'NOT met'})`,
    `  worker log lines "task not found": ${result.workerTaskNotFound ?? 'n/a (no worker log kept)'}`,
    ...result.backwards.examples.map((example) => `    ${JSON.stringify(example)}`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runStatusLatency(optionsFromArguments(process.argv.slice(2)));
  process.stdout.write(`${describeResult(result)}\nRESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}
