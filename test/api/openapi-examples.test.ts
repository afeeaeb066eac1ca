import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { openApiDocument } from '../../api/openapi/openapi-document';
import { loadConfig } from '../../config/config';
import { actionNames } from '../../contracts/action-catalogue';
import { freePort } from '../../harness/free-port';
import type { Database } from '../../registry/database';
import { startTemporalDevServer, type DevServer } from '../../scripts/embedded/temporal-dev-server';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { openTestDatabase } from '../support/test-database';

interface DocumentedExample {
  summary: string;
  value: Record<string, unknown>;
}

interface MediaType {
  schema?: { $ref?: string };
  example?: Record<string, unknown>;
  examples?: Record<string, DocumentedExample>;
}

type Paths = Record<string, Record<string, { requestBody?: { content: Record<string, MediaType> } }>>;

function requestBodyOf(method: string, path: string): MediaType {
  const operation = (openApiDocument() as { paths: Paths }).paths[path]?.[method];
  const media = operation?.requestBody?.content['application/json'];
  assert.ok(media, `${method} ${path} documents a JSON request body`);
  return media;
}

const actionsPath = '/api/v1/platform/fleets/{fleet_id}/actions';
// Placeholder ids of the examples (ffff...01 command, ...02 configuration, ...03 setting, ...04 template).
const placeholderPattern = /f{22}0\d/g;
const holdsPlaceholder = (text: string) => /f{22}0\d/.test(text);

// Every request example the OpenAPI document offers for starting a fleet action is POSTed to the
// real app, over a real registry with the demo data and a real Temporal dev server: each starts a
// bulk response (202) as sent, or, where its summary says it holds placeholder ids, answers 404 as
// sent and 202 once they are replaced by the demo's ids. No worker runs: the executions are
// started and left waiting, which is all a 202 promises.
describe('OpenAPI request examples, sent to the real app', () => {
  let database: Database;
  let devServer: DevServer;
  let connection: Connection;
  let app: ReturnType<typeof createApp>;
  let demo: DemoSession;
  let dataDir: string;

  before(async () => {
    const port = await freePort();
    const config = loadConfig({
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: 'silent',
    });
    devServer = await startTemporalDevServer({ cliPath: config.temporal.cliPath, port, namespace: 'default' });
    connection = await Connection.connect({ address: devServer.address });
    database = await openTestDatabase();
    app = createApp({
      config,
      database,
      temporal: new Client({ connection, namespace: 'default' }),
      logger: pino({ level: 'silent' }),
    });
    dataDir = mkdtempSync(path.join(tmpdir(), 'openapi-examples-'));
    demo = await openDemoSession(app, database, dataDir);
  });
  after(async () => {
    await connection?.close();
    await devServer?.stop();
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const startAction = (body: unknown) =>
    request(app)
      .post(`/api/v1/platform/fleets/${demo.fleetId('Gateways')}/actions`)
      .set('Authorization', demo.tokens.operator)
      .send(body as object);

  const demoIdOf = async (table: string, name: string) =>
    (await database.query<{ id: string }>(`select id from ${table} where name = $1`, [name]))[0]!.id;

  it('when the actions operation is documented, then its examples include windows on issue_command and a continuous add_tags', () => {
    const { examples = {} } = requestBodyOf('post', actionsPath);
    const rollouts = Object.values(examples).map((example) => ({
      action: example.value.action,
      rollout: example.value.rollout as Record<string, unknown> | undefined,
    }));
    assert.ok(rollouts.some((example) => example.action === 'issue_command' && example.rollout?.windows));
    assert.ok(rollouts.some((example) => example.action === 'add_tags' && example.rollout?.continuous));
  });

  it('when the actions operation is documented, then every action of the catalogue has an example', () => {
    const { examples = {} } = requestBodyOf('post', actionsPath);
    const documented = new Set(Object.values(examples).map((example) => example.value.action));
    assert.deepEqual(
      actionNames.filter((action) => !documented.has(action)),
      [],
      'actions without an example',
    );
  });

  it('when every documented fleet-action example is POSTed, then each answers 202, or 404 as sent only for placeholder ids and 202 once they are replaced', async () => {
    const demoIds: Record<string, string> = {
      ffffffffffffffffffffff01: await demoIdOf('commands', 'Apply configuration'),
      ffffffffffffffffffffff02: await demoIdOf('configurations', 'Gateway defaults'),
      ffffffffffffffffffffff03: await demoIdOf('settings', 'Network'),
      ffffffffffffffffffffff04: await demoIdOf('action_templates', 'Reboot with a 1 % canary'),
    };
    const { examples = {} } = requestBodyOf('post', actionsPath);
    assert.ok(Object.keys(examples).length >= 21, 'every action, rollout control and template use has an example');
    for (const [name, example] of Object.entries(examples)) {
      const sent = JSON.stringify(example.value);
      const asSent = await startAction(example.value);
      if (!holdsPlaceholder(sent)) {
        assert.equal(asSent.status, 202, `${name}: ${JSON.stringify(asSent.body)}`);
        assert.match((asSent.body as { bulk_response_id: string }).bulk_response_id, /^[0-9a-f]{24}$/);
        continue;
      }
      assert.match(example.summary, /placeholder/, `${name} says it holds placeholder ids`);
      assert.equal(asSent.status, 404, `${name} as sent: ${JSON.stringify(asSent.body)}`);
      const replaced = JSON.parse(sent.replace(placeholderPattern, (id) => demoIds[id] ?? id)) as unknown;
      const started = await startAction(replaced);
      assert.equal(started.status, 202, `${name} with the demo's ids: ${JSON.stringify(started.body)}`);
    }
  });

  it('when the documented action template example is POSTed by an operator, then it is created and starts as a template', async () => {
    // Its example sits on the schema component the operation refers to.
    const { schema } = requestBodyOf('post', '/api/v1/platform/action_templates');
    const document = openApiDocument() as { components: { schemas: Record<string, { example?: object }> } };
    const example = document.components.schemas[schema?.$ref?.split('/').pop() ?? '']?.example;
    assert.ok(example, 'the create schema carries an example');
    const created = await request(app)
      .post('/api/v1/platform/action_templates')
      .set('Authorization', demo.tokens.operator)
      .send(example);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const started = await startAction({ template_id: (created.body as { _id: string })._id });
    assert.equal(started.status, 202, JSON.stringify(started.body));
  });

  it('when the documented webhook example is POSTed by an admin (WEBHOOK_ALLOW_PRIVATE=true), then it is created', async () => {
    const { example } = requestBodyOf('post', '/api/v1/platform/webhooks');
    const response = await request(app)
      .post('/api/v1/platform/webhooks')
      .set('Authorization', demo.tokens.admin)
      .send(example);
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.deepEqual((response.body as { events: string[] }).events, example?.events);
  });
});
