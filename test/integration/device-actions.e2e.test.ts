import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { simulateCompanyDevices } from '../support/simulated-demo-fleet';
import { assertEveryEndedRolloutTallies } from '../support/rollout-tally';

// Device-facing actions on the demo company's 1,000 mixed devices, against the real dev server,
// registry, broker and simulator. Counts are checked against the registry and the simulator's
// own tally: every eligible device acted on exactly once.
describe('device actions end to end (dev server, registry, broker, simulator, HTTP)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleet: SimulatedFleet;
  let companyId: string;
  const count = async (sql: string, params: unknown[] = []) =>
    (
      await stack.database.query<{ count: number }>(
        `select count(*)::int as count from devices where company_id = $1 and ${sql}`,
        [companyId, ...params],
      )
    )[0]!.count;

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    companyId = demo.credentials.company_id;
    fleet = await simulateCompanyDevices(stack.database, companyId, stack.broker.url, {
      offlineShare: 0.05,
      behaviour: { latency: { minMs: 5, maxMs: 40 }, failureRate: 0.1, heartbeatScale: 100 },
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
  });
  after(async () => {
    await fleet?.stop();
    await stack?.stop();
  });

  it('when a gateway command goes to a mixed fleet, then eligibility, offline devices and failures add up to the simulator tally', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const before = fleet.stats();
    const id = await client.start(demo.fleetId('All devices'), {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: { max_in_flight: 100, device_timeout_seconds: 6, retry: { max_attempts: 1 } },
    });
    const final = await client.waitForEnd(id);
    const after = fleet.stats();
    const acted = after.commandsActed - before.commandsActed;
    const failed = after.failures - before.failures;

    const inactive = await count('not active');
    const cloudNative = await count(
      `active and device_type_id in (select id from device_types where type = 'cloud_native')`,
    );
    assert.equal(final.counts.total, 1000);
    assert.equal(final.counts.skipped, inactive + cloudNative);
    assert.equal(
      final.counts.success + final.counts.fail,
      acted,
      'every eligible connected device acted on exactly once',
    );
    assert.equal(final.counts.fail, failed);
    assert.equal(final.counts.timed_out, 1000 - inactive - cloudNative - acted, 'the never-connected devices time out');
    assert.ok(final.counts.timed_out > 0 && final.counts.fail > 0);
    assert.equal(final.status, 'completed_with_errors');
    const reasons = await client.responses(id, 'skipped');
    assert.equal(
      reasons.resources.filter((entry) => entry.reason === 'gateway_command_not_supported').length,
      cloudNative,
    );
    assert.equal(reasons.resources.filter((entry) => entry.reason === 'inactive').length, inactive);

    const retry = await client.control(id, 'retry').expect(202);
    const retried = await client.waitForEnd((retry.body as { bulk_response_id: string }).bulk_response_id);
    assert.equal(retried.parent_id, id);
    assert.equal(retried.counts.total, final.counts.fail + final.counts.timed_out);
  });

  it('when a setting is sent twice, then the second run skips devices that already apply it, unless forced', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const [setting] = await stack.database.query<{ id: string; configuration_id: string }>(
      `select s.id, s.configuration_id from settings s where s.company_id = $1 and s.name = 'Logging'`,
      [companyId],
    );
    const [command] = await stack.database.query<{ id: string }>(
      `select id from commands where company_id = $1 and name = 'Apply configuration'`,
      [companyId],
    );
    const body = {
      action: 'send_configuration',
      configuration_id: setting!.configuration_id,
      setting_id: setting!.id,
      command_id: command!.id,
      rollout: { device_timeout_seconds: 5, retry: { max_attempts: 1 } },
    };
    const configurationsBefore = fleet.stats().configurationsReceived;
    const first = await client.waitForEnd(await client.start(demo.fleetId('Gateways'), body));
    const applied = await count(`(applied_settings ->> $2)::int = 2`, [setting!.id]);
    assert.equal(applied, first.counts.success, 'each success records the latest version (2) on the device');
    assert.ok(
      fleet.stats().configurationsReceived - configurationsBefore >= first.counts.success,
      'retained configuration pushed',
    );

    const second = await client.waitForEnd(await client.start(demo.fleetId('Gateways'), body));
    const alreadyApplied = (await client.responses((await client.view(second._id))._id, 'skipped')).resources.filter(
      (entry) => entry.reason === 'already_applied',
    );
    assert.equal(alreadyApplied.length, applied);
    const forced = await client.waitForEnd(
      await client.start(demo.fleetId('Gateways'), { ...body, rollout: { ...body.rollout, force: true } }),
    );
    assert.equal(
      forced.counts.success + forced.counts.fail + forced.counts.timed_out,
      first.counts.success + first.counts.fail + first.counts.timed_out,
    );
  });

  it('when heartbeat settings and metadata change, then the registry holds them and devices receive the new configuration', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const configurationsBefore = fleet.stats().configurationsReceived;
    const heartbeat = await client.waitForEnd(
      await client.start(demo.fleetId('Lobby devices'), {
        action: 'update_heartbeat',
        heartbeat_period: 45,
        heartbeat_values: ['cpu_usage'],
      }),
    );
    assert.equal(
      await count(`active and tags @> '{lobby}' and heartbeat_period = 45 and heartbeat_values = '{cpu_usage}'`),
      heartbeat.counts.success,
    );
    assert.ok(fleet.stats().configurationsReceived > configurationsBefore);
    const metadata = await client.waitForEnd(
      await client.start(demo.fleetId('Gateways'), {
        action: 'add_metadata',
        metadata: { region: 'apac', owner: 'ops' },
      }),
    );
    assert.equal(await count(`active and metadata @> '{"region": "apac", "owner": "ops"}'`), metadata.counts.success);
    assert.equal(await count(`not active and metadata @> '{"owner": "ops"}'`), 0);
  });

  it('when skip_offline is set, then devices without a recent heartbeat are skipped as offline', async () => {
    const client = bulkResponseClient(stack.app, demo.tokens.operator);
    const final = await client.waitForEnd(
      await client.start(demo.fleetId('Gateways'), {
        action: 'issue_command',
        gateway_command: 'status',
        rollout: { skip_offline: true, device_timeout_seconds: 10 },
      }),
    );
    const offline = (await client.responses(final._id, 'skipped')).resources.filter(
      (entry) => entry.reason === 'offline',
    );
    assert.ok(offline.length > 0, 'the simulator keeps 5% of devices offline');
    assert.equal(final.counts.timed_out, 0, 'no offline device was waited for');
  });

  it("when the suite's rollouts ended, then each tallies: counts are the entries, each final once, acted = success + fail", async () => {
    const tallied = await assertEveryEndedRolloutTallies({
      app: stack.app,
      token: demo.tokens.viewer,
      database: stack.database,
      companyId: demo.credentials.company_id,
      fleets: [fleet],
    });
    assert.ok(tallied > 0);
  });
});
