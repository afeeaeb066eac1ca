import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rollbackExamples } from '../../api/openapi/rollback-paths';
import { planRollback, rollbackIdOf } from '../../engine-start/rollback-plan';
import { recordExecution } from '../../engine-start/start-execution';
import { silentLogger, testServiceCredentials } from '../../harness/device-fixtures';
import { findRollbackParent } from '../../registry/rollbacks.repository';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { startAutomaticRollbacks } from '../../worker/automatic-rollbacks';
import { bulkResponseClient } from '../support/bulk-response-client';
import { startCommandTap, type CommandTap } from '../support/command-tap';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { rollbackClient } from '../support/rollback-client';
import { simulateCompanyDevices } from '../support/simulated-demo-fleet';

const quick = { device_timeout_seconds: 5, retry: { max_attempts: 1 } };

// Rollbacks of device actions on the real stack (dev server, registry, broker, the demo company's
// 1,000 simulated devices, HTTP): what each device gets back is checked against the registry and
// against the commands an independent MQTT client saw the engine publish.
describe('rollback of device actions end to end (dev server, registry, broker, simulator, HTTP)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleet: SimulatedFleet;
  let tap: CommandTap;
  let operator: ReturnType<typeof bulkResponseClient>;
  let rollbacks: ReturnType<typeof rollbackClient>;
  let companyId: string;

  before(async () => {
    // The workers look for aborted rollouts to roll back every second.
    stack = await startEngineStack({ reconcileIntervalMilliseconds: 1_000 });
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    companyId = demo.credentials.company_id;
    operator = bulkResponseClient(stack.app, demo.tokens.operator);
    rollbacks = rollbackClient(stack, demo);
    tap = await startCommandTap(stack.broker.url, testServiceCredentials);
    fleet = await simulateCompanyDevices(stack.database, companyId, stack.broker.url, {
      offlineShare: 0.05,
      behaviour: { latency: { minMs: 5, maxMs: 40 }, failureRate: 0.1, heartbeatScale: 100 },
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
  });
  after(async () => {
    await tap?.close();
    await fleet?.stop();
    await stack?.stop();
  });

  it('when a configuration is rolled back, then each device that applied it gets its own previous version back and unreached devices are left alone', async () => {
    const [setting] = await stack.database.query<{ id: string; configuration_id: string }>(
      `select id, configuration_id from settings where company_id = $1 and name = 'Logging'`,
      [companyId],
    );
    const [command] = await stack.database.query<{ id: string }>(
      `select id from commands where company_id = $1 and name = 'Apply configuration'`,
      [companyId],
    );
    // Half the gateways ran version 1 before, the others none.
    await stack.database.query(
      `update devices set applied_settings = case when right(unique_id, 1) in ('0', '2', '4', '6', '8')
         then jsonb_build_object($2::text, 1) else '{}' end
       where company_id = $1 and device_type_id = (select id from device_types where company_id = $1 and type = 'gateway')`,
      [companyId, setting!.id],
    );
    const before = new Map(
      (
        await stack.database.query<{ id: string; version: number | null }>(
          `select id, (applied_settings ->> $2)::int as version from devices where company_id = $1`,
          [companyId, setting!.id],
        )
      ).map((row) => [row.id, row.version]),
    );
    const parent = await operator.waitForEnd(
      await operator.start(demo.fleetId('Gateways'), {
        action: 'send_configuration',
        configuration_id: setting!.configuration_id,
        setting_id: setting!.id,
        command_id: command!.id,
        setting_version: 2,
        rollout: quick,
      }),
    );
    const applied = await rollbacks.actedOn(parent._id);
    assert.ok(applied.length > 100, `${applied.length} devices applied version 2`);

    const rollback = await operator.waitForEnd(await rollbacks.rollBack(parent._id, rollbackExamples.paced.value));
    const rolledBack = await rollbacks.rows(rollback._id);
    assert.deepEqual(
      rolledBack.map((row) => row.device_id),
      applied,
      'the rollback walks exactly the devices that applied it',
    );
    assert.equal((rollback.request as { rollout: { rate_per_minute: number } }).rollout.rate_per_minute, 600);
    const versions = new Map(
      (
        await stack.database.query<{ id: string; version: number | null }>(
          `select id, (applied_settings ->> $2)::int as version from devices where company_id = $1`,
          [companyId, setting!.id],
        )
      ).map((row) => [row.id, row.version]),
    );
    const sent = tap.commandsOf(rollback._id);
    for (const row of rolledBack) {
      const previous = before.get(row.device_id) ?? null;
      if (previous === null) {
        assert.deepEqual([row.status, row.reason], ['skipped', 'no_previous_version']);
        assert.equal(versions.get(row.device_id), 2);
        continue;
      }
      assert.equal((sent.get(row.device_id)?.payload.setting as { version: number }).version, previous);
      assert.equal(versions.get(row.device_id), row.status === 'success' ? previous : 2, row.device_id);
    }
    assert.ok(rolledBack.some((row) => row.status === 'success'));
    const untouched = [...before.keys()].filter((id) => !applied.includes(id));
    assert.ok(untouched.every((id) => versions.get(id) === before.get(id)));

    // A retry of the rollback is a rollback of the same parent, over the rollback's failed devices.
    const failed = rolledBack.filter((row) => row.status === 'fail').map((row) => row.device_id);
    assert.ok(failed.length > 0, 'the simulator fails one command in ten');
    const retry = await operator
      .control(rollback._id, 'retry')
      .send({ statuses: ['fail'] })
      .expect(202);
    const retried = await operator.waitForEnd((retry.body as { bulk_response_id: string }).bulk_response_id);
    assert.deepEqual(
      [retried.parent_id, (retried as unknown as { rollback_of: string }).rollback_of],
      [rollback._id, parent._id],
    );
    const retriedRows = await rollbacks.rows(retried._id);
    assert.deepEqual(
      retriedRows.map((row) => row.device_id),
      failed,
    );
    const finalVersions = await stack.database.query<{ id: string; version: number }>(
      `select id, (applied_settings ->> $2)::int as version from devices where id = any($1::text[])`,
      [retriedRows.filter((row) => row.status === 'success').map((row) => row.device_id), setting!.id],
    );
    assert.ok(finalVersions.every((device) => device.version === before.get(device.id)));
  });

  it('when issue_command has no rollback_command, then its rollback answers 409; with one, the rollback sends it to the devices that acted', async () => {
    const all = demo.fleetId('All devices');
    const without = await operator.waitForEnd(
      await operator.start(all, { action: 'issue_command', gateway_command: 'heartbeat', rollout: quick }),
    );
    const refused = await rollbacks.post(`/bulk_responses/${without._id}/rollback`).expect(409);
    assert.match((refused.body as { error: string }).error, /rollback_command/);

    const parentId = await operator.start(all, {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollback_command: { gateway_command: 'status' },
      rollout: quick,
    });
    const running = await rollbacks.post(`/bulk_responses/${parentId}/rollback`).expect(409);
    assert.match((running.body as { error: string }).error, /roll it back once it ends/);
    const parent = await operator.waitForEnd(parentId);
    const acted = await rollbacks.actedOn(parent._id);
    const rollback = await operator.waitForEnd(await rollbacks.rollBack(parent._id));
    const rolledBack = await rollbacks.rows(rollback._id);
    assert.deepEqual(
      rolledBack.map((row) => row.device_id),
      acted,
    );
    // Sensors can reboot but not report status: the rollback skips them.
    const skipped = rolledBack.filter((row) => row.status === 'skipped');
    assert.ok(skipped.length > 0 && skipped.every((row) => row.reason === 'gateway_command_not_supported'));
    const sent = tap.commandsOf(rollback._id);
    assert.ok(sent.size > 0 && [...sent.values()].every((command) => command.name === 'status'));
    assert.ok([...sent.keys()].every((device) => acted.includes(device)));
  });

  it('when a rollout with rollback on abort ends aborted, then it is rolled back by itself, once', async () => {
    const parent = await operator.waitForEnd(
      await operator.start(demo.fleetId('All devices'), {
        action: 'issue_command',
        gateway_command: 'reboot',
        rollback_command: { gateway_command: 'heartbeat' },
        rollout: { ...quick, max_in_flight: 20, abort: [{ on: 'fail', count: 3 }], rollback: { on: 'abort' } },
      }),
    );
    assert.equal(parent.status, 'aborted');
    const rollbackId = await waitForRollback(parent._id);
    const rollback = await operator.waitForEnd(rollbackId);
    assert.equal(rollback.counts.total, (await rollbacks.actedOn(parent._id)).length);
    assert.equal(rollback.created_by, null);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const [records] = await stack.database.query<{ rollbacks: number }>(
      'select count(*)::int as rollbacks from bulk_responses where rollback_of = $1',
      [parent._id],
    );
    assert.equal(records!.rollbacks, 1);
  });

  it('when a worker died between a rollback record and its start, then the next tick starts it, and workers racing start it once', async () => {
    const parent = await operator.waitForEnd(
      await operator.start(demo.fleetId('Gateways'), {
        action: 'issue_command',
        gateway_command: 'reboot',
        rollback_command: { gateway_command: 'heartbeat' },
        rollout: { ...quick, rollback: { on: 'manual' } },
      }),
    );
    // What a worker that died after writing the rollback's record leaves, for a rollout that aborted.
    const rollbackId = rollbackIdOf(parent._id);
    await stack.database.transaction(async (transaction) => {
      await transaction.query(
        `update bulk_responses set status = 'aborted', request = jsonb_set(request, '{rollout,rollback,on}', '"abort"')
         where id = $1`,
        [parent._id],
      );
      const stored = (await findRollbackParent(transaction, companyId, parent._id))!;
      await recordExecution(transaction, {
        ...planRollback(stored),
        bulkResponseId: rollbackId,
        createdBy: null,
        startedBy: 'a worker that died',
      });
    });
    const starter = { database: stack.database, temporal: stack.temporal, taskQueue: stack.config.temporal.taskQueue };
    const workers = [0, 1].map(() =>
      startAutomaticRollbacks({ ...starter, logger: silentLogger, intervalMilliseconds: 3_600_000 }),
    );
    await Promise.all(workers.map((worker) => worker.tick()));
    await Promise.all(workers.map((worker) => worker.stop()));

    const rollback = await operator.waitForEnd(rollbackId);
    assert.equal(rollback.counts.total, (await rollbacks.actedOn(parent._id)).length);
    const [records] = await stack.database.query<{ rollbacks: number }>(
      'select count(*)::int as rollbacks from bulk_responses where rollback_of = $1',
      [parent._id],
    );
    assert.equal(records!.rollbacks, 1);
    let runs = 0;
    for await (const execution of stack.temporal.workflow.list({ query: `WorkflowId = '${rollbackId}'` }))
      runs += execution.workflowId === rollbackId ? 1 : 0;
    assert.ok(runs <= 1, `${runs} executions of the rollback`);
  });

  async function waitForRollback(parentId: string): Promise<string> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const view = (await operator.view(parentId)) as unknown as { rollback_id: string | null };
      if (view.rollback_id) return view.rollback_id;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`bulk response ${parentId} was not rolled back in time`);
  }
});
