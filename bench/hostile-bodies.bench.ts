import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { createApp } from '../api/app';
import { issueSessionToken } from '../api/auth/token-issuer';
import { loadConfig } from '../config/config';
import { openTestDatabase } from '../harness/test-database';
import { createCompany } from '../registry/companies.repository';
import { hashPassword } from '../registry/password-hashing';
import { createUser } from '../registry/users.repository';
import { summarizeLatencies } from './support/latency-summary';

// How much a burst of hostile JSON bodies stalls the API's event loop: 20 concurrent posts while
// /healthz is polled every 5 ms, for three bodies of about 840 KB: arrays nested 420,000 deep (0.3 s
// of JSON.parse each before the nesting bound), brackets inside a string (legal, parsed), and a flat
// array of numbers (parsed). Each goes to the anonymous login (16 KB limit) and, as an admin, to
// POST /commands (1 MB limit; refused after parsing: the payload is over 64 KiB or not an object).
//   npx tsx bench/hostile-bodies.bench.ts [--concurrency 20]
const concurrencyIndex = process.argv.indexOf('--concurrency');
const concurrency = concurrencyIndex >= 0 ? Number(process.argv[concurrencyIndex + 1]) : 20;
const size = 840 * 1024;

const bodies: Record<string, string> = {
  'nested arrays': `${'['.repeat(size / 2)}${']'.repeat(size / 2)}`,
  'brackets in a string': JSON.stringify({ name: 'x', payload: { note: '['.repeat(size - 40) } }),
  'flat array of numbers': JSON.stringify(Array.from({ length: size / 7 }, (_, index) => 100_000 + index)),
};
const targets = [
  { name: 'anonymous login', path: '/api/v1/platform/user/authenticate', admin: false },
  { name: 'admin POST /commands', path: '/api/v1/platform/commands', admin: true },
];

// The clients run in a worker thread, so their own work (sending 20 x 840 KB) never delays the
// polls they time: only the server's event loop, on this thread, does.
const clientSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { base, path, authorization, body, concurrency } = workerData;
const healthz = [];
let polling = true;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const poller = (async () => {
    while (polling) {
      const started = performance.now();
      await fetch(base + '/healthz').then((answer) => answer.arrayBuffer());
      healthz.push(performance.now() - started);
      await sleep(5);
    }
  })();
  await sleep(200);
  const started = performance.now();
  const headers = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
  const post = () => fetch(base + path, {
    method: 'POST', headers, body,
  }).then(async (answer) => { await answer.arrayBuffer(); return answer.status; });
  const statuses = await Promise.all(Array.from({ length: concurrency }, post));
  const burstMilliseconds = performance.now() - started;
  await sleep(100);
  polling = false;
  await poller;
  parentPort.postMessage({ healthz, statuses, burstMilliseconds });
})();
`;

interface BurstResult {
  healthz: number[];
  statuses: number[];
  burstMilliseconds: number;
}

interface Burst {
  path: string;
  authorization: string | undefined;
  body: string;
  concurrency: number;
}

function burstFromWorker(base: string, burst: Burst): Promise<BurstResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(clientSource, { eval: true, workerData: { base, ...burst } });
    worker.once('message', (result: BurstResult) => void worker.terminate().then(() => resolve(result)));
    worker.once('error', reject);
  });
}

const database = await openTestDatabase();
const app = createApp({
  config: loadConfig({}),
  database,
  temporal: {} as unknown as Client,
  logger: pino({ level: 'silent' }),
});
const server = await new Promise<Server>((resolve) => {
  const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
});
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
try {
  const results: Record<string, unknown> = {};
  const idle = { path: '/healthz', authorization: undefined, body: '', concurrency: 0 };
  const baseline = summarizeLatencies((await burstFromWorker(base, idle)).healthz);
  results.baseline = { healthzP50Ms: baseline.p50, healthzMaxMs: baseline.max };
  console.log(`no burst: /healthz p50 ${baseline.p50} ms, max ${baseline.max} ms (${baseline.requests} polls)`);
  const company = await createCompany(database, 'Hostile bodies');
  const admin = await createUser(database, company.id, {
    email: 'admin@hostile.example.com',
    passwordHash: await hashPassword(randomBytes(18).toString('base64url')),
    role: 'admin',
  });
  const adminAuthorization = `Bearer ${(await issueSessionToken(database, admin.id)).token}`;
  for (const target of targets)
    for (const [name, body] of Object.entries(bodies)) {
      const authorization = target.admin ? adminAuthorization : undefined;
      const result = await burstFromWorker(base, { path: target.path, authorization, body, concurrency });
      const healthz = summarizeLatencies(result.healthz);
      const statuses = [...new Set(result.statuses)];
      console.log(
        `${target.name}, ${name} (${Math.round(body.length / 1024)} KB) x ${concurrency}: answered ${statuses.join(',')} ` +
          `in ${Math.round(result.burstMilliseconds)} ms; /healthz during the burst p50 ${healthz.p50} ms, ` +
          `p99 ${healthz.p99} ms, max ${healthz.max} ms (${healthz.requests} polls)`,
      );
      results[`${target.name}, ${name}`] = {
        statuses,
        burstMs: Math.round(result.burstMilliseconds),
        healthzP99Ms: healthz.p99,
        healthzMaxMs: healthz.max,
      };
    }
  console.log(`RESULT ${JSON.stringify({ concurrency, results })}`);
} finally {
  await new Promise((resolve) => server.close(resolve));
  await database.close();
}
