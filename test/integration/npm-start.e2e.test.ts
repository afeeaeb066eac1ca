import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../config/config';
import { freePort } from '../../harness/free-port';
import { openDatabase, type Database } from '../../registry/database';
import { newObjectId } from '../../registry/object-id';
import { eventually } from '../support/bounded-waits';
import { allGone, alive, listening, runNpmStart, type NpmStartRun } from '../support/npm-start-process';

// The niceness of a process's session on a kernel with autogroups (sched(7)); undefined without.
function sessionNiceness(pid: number): number | undefined {
  const file = `/proc/${pid}/autogroup`;
  if (!existsSync(file)) return undefined;
  return Number(/nice (-?\d+)/.exec(readFileSync(file, 'utf8'))?.[1]);
}

// `npm start` as a user runs it, on free ports in a temporary data directory: the API and the
// worker are processes of their own, a stop leaves no process and no port, and a supervisor
// killed -9 leaves nothing that stops the next start (data kept, a stale postmaster.pid ignored).

const startDeadline = 120_000;

describe('npm start (the supervisor and its processes)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fleet-npm-start-'));
  let environment: Record<string, string>;
  let ports: number[];
  let running: NpmStartRun | undefined;
  const everyPid = new Set<number>();

  before(async () => {
    // As root the registry runs as the postgres user, who must enter the directory.
    chmodSync(dataDir, 0o755);
    const [api, mqtt, temporal, metrics, registry] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    ports = [api, mqtt, temporal, metrics, registry];
    environment = {
      // Its own registry, not the test run's server.
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      PORT: String(api),
      MQTT_PORT: String(mqtt),
      TEMPORAL_DEV_PORT: String(temporal),
      TEMPORAL_UI_PORT: '0',
      WORKER_METRICS_PORT: String(metrics),
      REGISTRY_PORT: String(registry),
      LOG_LEVEL: 'warn',
    };
  });

  const start = async () => {
    running = runNpmStart(environment);
    const pids = await running.ready(startDeadline);
    for (const pid of Object.values(pids)) everyPid.add(pid);
    return pids;
  };
  const signalGroup = (signal: NodeJS.Signals) => process.kill(-running!.process.pid!, signal);
  const marker = newObjectId();
  // The stack's own registry, reached as a tool beside it would (the password file under DATA_DIR).
  const withRegistry = async <T>(work: (registry: Database) => Promise<T>): Promise<T> => {
    const registry = await openDatabase(loadConfig(environment).registry);
    try {
      return await work(registry);
    } finally {
      await registry.close();
    }
  };

  after(async () => {
    if (running && running.process.exitCode === null) signalGroup('SIGKILL');
    for (const pid of everyPid) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await allGone([...everyPid], 10_000);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when it runs, then the API and the worker are processes of their own, and SIGTERM stops everything', async () => {
    const pids = await start();
    assert.ok(pids.api && pids.worker && pids.registry && pids.broker && pids.temporal, JSON.stringify(pids));
    assert.notEqual(pids.api, pids.worker);
    assert.ok(![pids.api, pids.worker].includes(running!.process.pid!), 'neither runs in the supervisor');
    assert.equal((await fetch(`http://127.0.0.1:${environment.PORT}/healthz`)).status, 200);
    const metrics = await fetch(`http://127.0.0.1:${environment.WORKER_METRICS_PORT}/metrics`);
    assert.match(await metrics.text(), /fleet_bulk_responses_started_total/);
    // The rollout's work yields the cores to the API, across sessions too (each service has its own).
    const { rolloutWorkNiceness } = loadConfig(environment);
    for (const pid of [pids.worker, pids.temporal]) {
      await eventually(() => getPriority(pid) === rolloutWorkNiceness, 5_000, `niceness of ${pid}`);
      if (sessionNiceness(pid) !== undefined)
        await eventually(() => sessionNiceness(pid) === rolloutWorkNiceness, 5_000, `session niceness of ${pid}`);
    }
    assert.equal(getPriority(pids.api), getPriority(running!.process.pid));
    assert.ok([undefined, 0].includes(sessionNiceness(pids.api)), 'the API keeps the first share');
    signalGroup('SIGTERM');
    assert.equal(await running!.exited(30_000), 0);
    assert.ok(await allGone(Object.values(pids), 5_000), 'no process is left');
    for (const port of ports) assert.equal(await listening(port), false, `port ${port} is free`);
  });

  it('when the supervisor is killed -9, then its services leave and the next start cleans up and keeps the data', async () => {
    const first = await start();
    await withRegistry((registry) => registry.query(`insert into companies (id, name) values ($1, 'kept')`, [marker]));
    signalGroup('SIGKILL');
    // The Node services see their channel close; the registry process stops PostgreSQL.
    const leaving = [first.api!, first.worker!, first.broker!, first.registry!];
    assert.ok(await allGone(leaving, 30_000), 'the services stop without their supervisor');
    // A postmaster.pid naming a live process that is not PostgreSQL (pids get reused).
    writeFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), `${process.pid}\n`);
    const second = await start();
    assert.ok(!alive(first.temporal!), 'the earlier Temporal dev server was stopped by the next start');
    const kept = await withRegistry((registry) => registry.query('select name from companies where id = $1', [marker]));
    assert.deepEqual(kept, [{ name: 'kept' }]);
    assert.equal((await fetch(`http://127.0.0.1:${environment.PORT}/healthz`)).status, 200);
    signalGroup('SIGTERM');
    assert.equal(await running!.exited(30_000), 0);
    assert.ok(await allGone(Object.values(second), 5_000), 'no process is left');
  });
});
