import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openCliSession } from '../support/cli-process';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { rollbackClient } from '../support/rollback-client';

// Rollbacks of registry actions on the real stack (dev server, registry, worker, HTTP, the real
// CLI binary): what each device gets back is checked in the registry.
describe('rollback of registry actions end to end (dev server, registry, worker, HTTP, CLI)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let operator: ReturnType<typeof bulkResponseClient>;
  let rollbacks: ReturnType<typeof rollbackClient>;
  let companyId: string;

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    companyId = demo.credentials.company_id;
    operator = bulkResponseClient(stack.app, demo.tokens.operator);
    rollbacks = rollbackClient(stack, demo);
  });
  after(async () => {
    await stack?.stop();
  });

  it('when add_tags is rolled back, then exactly what it added goes: a device that had the tag keeps it, and the lobby keeps its own tag', async () => {
    const lobby = demo.fleetId('Lobby devices');
    const [hadIt] = await stack.database.query<{ id: string }>(
      `update devices set tags = tags || '{k-probe}' where id = (select id from devices where company_id = $1
         and active and 'lobby' = any(tags) order by id limit 1) returning id`,
      [companyId],
    );
    const parent = await operator.waitForEnd(await operator.start(lobby, { action: 'add_tags', tags: ['k-probe'] }));
    const preview = (await rollbacks.post(`/bulk_responses/${parent._id}/rollback/preview`).expect(200)).body as {
      total: number;
      undo: Record<string, number>;
    };
    assert.deepEqual(preview.undo, { tags_removed: parent.counts.success - 1 });

    const rollback = await operator.waitForEnd(await rollbacks.rollBack(parent._id));
    assert.equal(rollback.status, 'completed');
    assert.equal(rollback.counts.success, parent.counts.success - 1);
    const carrying = await stack.database.query<{ id: string }>(
      `select id from devices where company_id = $1 and 'k-probe' = any(tags)`,
      [companyId],
    );
    assert.deepEqual(carrying, [hadIt]);
    const [lobbyCount] = await stack.database.query<{ devices: number }>(
      `select count(*)::int as devices from devices where company_id = $1 and 'lobby' = any(tags)`,
      [companyId],
    );
    assert.equal(lobbyCount!.devices, parent.counts.total);

    await rollbacks
      .post(`/bulk_responses/${parent._id}/rollback`, { rollout: { rollback: { on: 'abort' } } })
      .expect(400);
    await rollbacks.post(`/bulk_responses/${parent._id}/rollback`, { statuses: ['fail'] }).expect(400);
    await rollbacks.post(`/bulk_responses/${'0'.repeat(24)}/rollback`).expect(404);
    await rollbacks.post(`/bulk_responses/${parent._id}/rollback`, {}, demo.tokens.viewer).expect(403);
    const again = await rollbacks.post(`/bulk_responses/${parent._id}/rollback`).expect(409);
    assert.match((again.body as { error: string }).error, new RegExp(`already rolled back by ${rollback._id}`));
    await rollbacks.post(`/bulk_responses/${rollback._id}/rollback`).expect(409);
    const shown = (await operator.view(parent._id)) as unknown as { rollback_id: string };
    assert.equal(shown.rollback_id, rollback._id);
    assert.equal((rollback as unknown as { rollback_of: string }).rollback_of, parent._id);
  });

  it('when an operator rolls back with the CLI, then --preview counts the undo and --watch follows the rollback to completed', async () => {
    const cli = await openCliSession(stack.app);
    try {
      const user = demo.credentials.users.find((candidate) => candidate.role === 'operator')!;
      assert.equal((await cli.run('login', '--email', user.email, '--password', user.password)).code, 0);
      const parent = await operator.waitForEnd(
        await operator.start(demo.fleetId('Gateways'), { action: 'add_metadata', metadata: { cli: 'probe' } }),
      );
      const previewed = await cli.run('rollback', parent._id, '--preview', '--json');
      assert.equal(previewed.code, 0, previewed.stderr);
      const preview = JSON.parse(previewed.stdout) as { total: number; undo: Record<string, number> };
      assert.deepEqual(preview.undo, { metadata_keys_removed: parent.counts.success });
      const text = await cli.run('rollback', parent._id, '--preview');
      assert.match(text.stdout, new RegExp(`undo +metadata_keys_removed ${parent.counts.success}`));
      const watched = await cli.run('rollback', parent._id, '--rollout', '{"max_in_flight": 50}', '--watch', '--json');
      assert.equal(watched.code, 0, `${watched.stdout}\n${watched.stderr}`);
      const [left] = await stack.database.query<{ devices: number }>(
        `select count(*)::int as devices from devices where company_id = $1 and metadata ? 'cli'`,
        [companyId],
      );
      assert.equal(left!.devices, 0);
      assert.equal((await cli.run('rollback', parent._id)).code, 2, 'a second rollback is refused');
    } finally {
      await cli.close();
    }
  });
});
