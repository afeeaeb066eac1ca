import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { loadConfig } from '../../config/config';
import { freePort } from '../../harness/free-port';
import type { Database } from '../../registry/database';
import { startTemporalDevServer, type DevServer } from '../../scripts/embedded/temporal-dev-server';
import { errorBody } from './response-bodies';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { openTestDatabase } from '../support/test-database';
import { pollOrder, startProbes } from '../support/task-queue-probes';

// A rollout's tasks carry the request's priority and the company as fairness key, and the dev
// server `npm start` runs orders backlogged tasks by them. Real app, real registry with the demo
// data, a real dev server started as npm start starts it; no worker runs, so the executions wait
// on the task queue, which is all this needs.
describe('rollout priority and fairness on the task queue', () => {
  let database: Database;
  let devServer: DevServer;
  let connection: Connection;
  let temporal: Client;
  let app: ReturnType<typeof createApp>;
  let demo: DemoSession;
  let dataDir: string;

  before(async () => {
    const port = await freePort();
    const config = loadConfig({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, LOG_LEVEL: 'silent' });
    devServer = await startTemporalDevServer({ cliPath: config.temporal.cliPath, port, namespace: 'default' });
    connection = await Connection.connect({ address: devServer.address });
    temporal = new Client({ connection, namespace: 'default' });
    database = await openTestDatabase();
    app = createApp({ config, database, temporal, logger: pino({ level: 'silent' }) });
    dataDir = mkdtempSync(path.join(tmpdir(), 'rollout-priority-'));
    demo = await openDemoSession(app, database, dataDir);
  });
  after(async () => {
    await connection?.close();
    await devServer?.stop();
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const startAction = (body: Record<string, unknown>) =>
    request(app)
      .post(`/api/v1/platform/fleets/${demo.fleetId('Gateways')}/actions`)
      .set('Authorization', demo.tokens.operator)
      .send({ action: 'issue_command', gateway_command: 'reboot', ...body });

  const priorityOf = async (id: string) => {
    const { priority } = await temporal.workflow.getHandle(id).describe();
    return { priorityKey: priority?.priorityKey, fairnessKey: priority?.fairnessKey };
  };

  it('when an action asks for priority 1, then its execution carries priority 1 and the company as fairness key', async () => {
    const response = await startAction({ priority: 1 }).expect(202);
    const priority = await priorityOf((response.body as { bulk_response_id: string }).bulk_response_id);
    assert.equal(priority.priorityKey, 1);
    assert.equal(priority.fairnessKey, demo.credentials.company_id);
  });

  it('when an action leaves priority out, then its execution carries the default 3 and the company as fairness key', async () => {
    const response = await startAction({}).expect(202);
    const priority = await priorityOf((response.body as { bulk_response_id: string }).bulk_response_id);
    assert.equal(priority.priorityKey, 3);
    assert.equal(priority.fairnessKey, demo.credentials.company_id);
  });

  it('when priority is outside 1-5 or not an integer, then the answer is 400 naming priority and nothing starts', async () => {
    const count = async () =>
      (await database.query<{ count: number }>('select count(*)::int as count from bulk_responses'))[0]!.count;
    const before = await count();
    for (const priority of [0, 6, -1, 2.5, '1', null]) {
      const response = await startAction({ priority });
      assert.equal(response.status, 400, `priority ${JSON.stringify(priority)}: ${JSON.stringify(response.body)}`);
      const fields = (errorBody(response).details as { field?: string }[]).map((detail) => detail.field);
      assert.ok(fields.includes('priority'), `priority ${JSON.stringify(priority)} named in ${fields.join(', ')}`);
    }
    assert.equal(await count(), before);
  });

  it('when tasks of priority 5 wait before one of priority 1, then a poll takes the priority-1 task first', async () => {
    const taskQueue = 'priority-probe';
    await startProbes(temporal, taskQueue, [
      { id: 'low-1', priority: { priorityKey: 5 } },
      { id: 'low-2', priority: { priorityKey: 5 } },
      { id: 'urgent', priority: { priorityKey: 1 } },
    ]);
    assert.equal((await pollOrder(connection, taskQueue, 1))[0], 'urgent');
  });

  it('when one company has three tasks waiting before another company has one, then the other is taken second', async () => {
    const taskQueue = 'fairness-probe';
    await startProbes(temporal, taskQueue, [
      { id: 'big-1', priority: { priorityKey: 3, fairnessKey: 'company-a' } },
      { id: 'big-2', priority: { priorityKey: 3, fairnessKey: 'company-a' } },
      { id: 'big-3', priority: { priorityKey: 3, fairnessKey: 'company-a' } },
      { id: 'small', priority: { priorityKey: 3, fairnessKey: 'company-b' } },
    ]);
    assert.deepEqual(await pollOrder(connection, taskQueue, 2), ['big-1', 'small']);
  });
});
