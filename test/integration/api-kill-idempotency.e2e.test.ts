import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { startFaultStack, type FaultStack } from '../../harness/fault-stack';
import { createFaultTenant, type FaultTenant } from '../../harness/fault-tenant';
import { tallyProblems, tallyRollout } from '../../harness/fault-tally';
import { postFleetAction } from '../../harness/fleet-action-client';
import { freePort } from '../../harness/free-port';
import type { ServiceProcess } from '../../harness/service-process';

const platform = '/api/v1/platform';
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const clients = 20;
const postsPerClient = 40;
const killAfterMs = 3_000;
const retryDeadlineMs = 60_000;
const finalDeadlineMs = 90_000;
const body = { action: 'add_tags', tags: ['kill-test'] };

interface KeyOutcome {
  key: string;
  id?: string;
}

interface ListedBulkResponse {
  _id: string;
  status: string;
  completed_at: string | null;
}

// Posts keyed actions one after another until the API stops answering (the kill) or the share
// is done. A 429 (admission) is an answer that started nothing: the key is not tracked.
async function postUntilKilled(apiUrl: string, tenant: FaultTenant, client: number, outcomes: KeyOutcome[]) {
  for (let index = 0; index < postsPerClient; index += 1) {
    const outcome: KeyOutcome = { key: `kill-test-${client}-${index}` };
    try {
      const answer = await postFleetAction(apiUrl, tenant.authorization, tenant.fleetId, body, outcome.key);
      if (answer.status === 429) continue;
      assert.equal(answer.status, 202, `POST ${outcome.key}`);
      outcomes.push({ ...outcome, id: answer.bulkResponseId! });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      outcomes.push(outcome); // the connection died with the API: unanswered
      return;
    }
  }
}

// A client retrying an unanswered key with the same body until it is answered 202.
async function retryUntilAccepted(apiUrl: string, tenant: FaultTenant, outcome: KeyOutcome): Promise<number> {
  const deadline = Date.now() + retryDeadlineMs;
  for (let attempts = 1; ; attempts += 1) {
    const answer = await postFleetAction(apiUrl, tenant.authorization, tenant.fleetId, body, outcome.key);
    if (answer.status === 202) {
      outcome.id = answer.bulkResponseId!;
      return attempts;
    }
    assert.equal(answer.status, 429, `retry of ${outcome.key}`);
    assert.ok(Date.now() < deadline, `retry of ${outcome.key} still refused after ${retryDeadlineMs} ms`);
    await sleep(1000);
  }
}

async function listAll(apiUrl: string, tenant: FaultTenant): Promise<ListedBulkResponse[]> {
  const answer = await fetch(`${apiUrl}${platform}/bulk_responses?per_page=1000&page_meta=true`, {
    headers: { Authorization: tenant.authorization },
  });
  assert.equal(answer.status, 200);
  const listed = (await answer.json()) as { total: number; resources: ListedBulkResponse[] };
  assert.ok(listed.total <= 1000, 'one page holds them all');
  return listed.resources;
}

async function waitAllEnded(apiUrl: string, tenant: FaultTenant): Promise<ListedBulkResponse[]> {
  const deadline = Date.now() + finalDeadlineMs;
  for (;;) {
    const listed = await listAll(apiUrl, tenant);
    if (listed.every((entry) => entry.completed_at) || Date.now() > deadline) return listed;
    await sleep(1000);
  }
}

// Issue 11: the API process killed -9 while 20 clients post keyed actions, then every unanswered
// key retried: every 202 id runs to a final state (no record without an execution, nothing
// pending forever), and a replayed key answers the id it answered before.
describe('the API process killed -9 under concurrent keyed POSTs (API and worker processes, shared registry)', () => {
  let stack: FaultStack;
  let tenant: FaultTenant;
  let api: ServiceProcess | undefined;
  let apiUrl: string;
  let apiPort: number;
  let connection: Connection;
  let temporal: Client;

  before(async () => {
    stack = await startFaultStack();
    await stack.startWorker('api-kill-test');
    tenant = await createFaultTenant(stack.database, 10);
    apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    connection = await Connection.connect({ address: stack.temporalAddress });
    temporal = new Client({ connection, namespace: 'default' });
  });

  after(async () => {
    await connection?.close();
    await stack?.stop();
  });

  it('when the API dies mid-POSTs and the unanswered keys are retried, then every 202 id ends and a replay answers the same id', async (context) => {
    api = await stack.startApiProcess(apiPort);
    const outcomes: KeyOutcome[] = [];
    const posting = Array.from({ length: clients }, (_, client) => postUntilKilled(apiUrl, tenant, client, outcomes));
    await sleep(killAfterMs);
    await api.kill();
    await Promise.all(posting);
    const answered = outcomes.filter((outcome) => outcome.id);
    const unanswered = outcomes.filter((outcome) => !outcome.id);
    assert.ok(answered.length > 0, 'some posts were answered before the kill');
    assert.ok(unanswered.length > 0, 'the kill cut some posts');

    api = await stack.startApiProcess(apiPort);
    let retries = 0;
    for (const outcome of unanswered) retries += await retryUntilAccepted(apiUrl, tenant, outcome);
    for (const outcome of answered.slice(0, 10)) {
      const replay = await postFleetAction(apiUrl, tenant.authorization, tenant.fleetId, body, outcome.key);
      assert.equal(replay.status, 202);
      assert.equal(replay.bulkResponseId, outcome.id, `a replay of ${outcome.key} answers the same id`);
    }

    const ids = new Set(outcomes.map((outcome) => outcome.id!));
    assert.equal(ids.size, outcomes.length, 'each key names its own bulk response');
    const listed = await waitAllEnded(apiUrl, tenant);
    assert.deepEqual(
      listed.filter((entry) => !entry.completed_at),
      [],
      'no bulk response left without a final state',
    );
    assert.deepEqual(new Set(listed.map((entry) => entry._id)), ids, 'no record beyond the answered ids');
    assert.deepEqual(
      listed.filter((entry) => entry.status !== 'completed'),
      [],
      'every add_tags completed',
    );
    for (const id of ids) {
      assert.equal((await temporal.workflow.getHandle(id).describe()).status.name, 'COMPLETED', `execution ${id}`);
      const tally = await tallyRollout({ database: stack.database, executions: [] }, id, tenant.devices.length);
      assert.deepEqual(tallyProblems(tally), [], `${id}: counts are the rows, each device final once`);
    }
    context.diagnostic(
      `${outcomes.length} keyed posts: ${answered.length} answered 202 before the kill, ${unanswered.length} cut and retried (${retries} retry requests, all ending 202), ${ids.size} bulk responses completed, 0 orphaned`,
    );
  });
});
