import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../api/app';
import type { FleetActionPreview } from '../../contracts/fleet-action-preview.schema';
import type { Weekday } from '../../contracts/maintenance-windows';
import type { WebhookCreated, WebhookDelivery } from '../../cli/api-types';
import { silentLogger } from '../../harness/device-fixtures';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { bulkResponseClient } from '../support/bulk-response-client';
import { closeServer, listen, runCli, urlOf } from '../support/cli-runner';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { simulateCompanyDevices } from '../support/simulated-demo-fleet';
import { assertEveryEndedRolloutTallies } from '../support/rollout-tally';

// The UTC weekday `days` days from now: a window on it is closed now and for at least a day.
function weekdayIn(days: number): Weekday {
  const names: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  return names[new Date(Date.now() + days * 86_400_000).getUTCDay()]!;
}

describe('fleet-actions CLI end to end (real binary, dev server, registry, broker, simulator)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleet: SimulatedFleet | undefined;
  // Every simulated fleet of the suite, stopped or not, for the final tally.
  const fleets: SimulatedFleet[] = [];
  let server: Server;
  // The admin's API allows loopback webhook URLs; the worker does not, so deliveries are refused.
  let adminServer: Server;
  let configDir: string;
  let environment: Record<string, string>;
  let adminEnvironment: Record<string, string>;
  let webhookId: string;
  const cli = (...args: string[]) => runCli(args, environment);
  const adminCli = (...args: string[]) => runCli(args, adminEnvironment);
  const userOf = (role: string) => demo.credentials.users.find((user) => user.role === role)!;
  const operator = () => userOf('operator');

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    fleet = await simulateCompanyDevices(stack.database, demo.credentials.company_id, stack.broker.url, {
      behaviour: { latency: { minMs: 5, maxMs: 40 }, failureRate: 0, heartbeatScale: 100 },
    });
    fleets.push(fleet);
    server = await listen(stack.app);
    const { config, database, temporal } = stack;
    adminServer = await listen(
      createApp({
        config: { ...config, webhooks: { ...config.webhooks, allowPrivateAddresses: true } },
        database,
        temporal,
        logger: silentLogger,
      }),
    );
    configDir = mkdtempSync(path.join(tmpdir(), 'fleet-actions-cli-'));
    environment = { FLEET_ACTIONS_API: urlOf(server), FLEET_ACTIONS_CONFIG_DIR: configDir };
    adminEnvironment = {
      FLEET_ACTIONS_API: urlOf(adminServer),
      FLEET_ACTIONS_CONFIG_DIR: path.join(configDir, 'admin'),
    };
    await new Promise((resolve) => setTimeout(resolve, 2500));
  });
  after(async () => {
    await fleet?.stop();
    await closeServer(server);
    await closeServer(adminServer);
    await stack?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('when every verb is asked for --help, then each answers with its usage and exit code 0', async () => {
    const verbs = [
      'login',
      'logout',
      'fleets',
      'preview',
      'start',
      'watch',
      'list',
      'pause',
      'resume',
      'cancel',
      'retry',
    ];
    for (const verb of [...verbs, 'webhooks', 'webhooks create', 'webhooks deliveries']) {
      const run = await cli(...verb.split(' '), '--help');
      assert.equal(run.code, 0, `${verb}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`Usage: fleet-actions ${verb}`));
    }
  });

  it('when a verb runs before login, then it says so and exits 2', async () => {
    const run = await cli('list');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /not logged in/);
  });

  it('when the operator logs in to two servers, then each keeps its session, in a file only its owner can read', async () => {
    const run = await cli('login', '--email', operator().email, '--password', operator().password);
    assert.equal(run.code, 0, run.stderr);
    const file = path.join(configDir, 'session.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const other = await cli(
      'login',
      '--api',
      urlOf(adminServer),
      '--email',
      operator().email,
      '--password',
      operator().password,
    );
    assert.equal(other.code, 0, other.stderr);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { sessions: Record<string, { session_token: string }> };
    assert.match(stored.sessions[urlOf(server)]!.session_token, /.{20,}/);
    assert.match(stored.sessions[urlOf(adminServer)]!.session_token, /.{20,}/);
    assert.equal((await cli('list')).code, 0, 'the first server still answers after logging in to the second');
    const logout = await cli('logout', '--api', urlOf(adminServer));
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stdout, /Logged out of http:\/\/127\.0\.0\.1:\d+/);
    assert.equal((await cli('list', '--api', urlOf(adminServer))).code, 2);
    assert.equal((await cli('list')).code, 0);
  });

  it('when --window or --continuous-until is malformed, then it is a usage error naming the flag, exit 2', async () => {
    const window = await cli(
      'start',
      'Gateways',
      '--action',
      'add_tags',
      '--tags',
      'x',
      '--window',
      'mon-fry 02:00-04:00 UTC',
    );
    assert.equal(window.code, 2);
    assert.match(
      window.stderr,
      /option '--window <window>' argument 'mon-fry 02:00-04:00 UTC' is invalid\. "fry" is not a day/,
    );
    const zone = await cli(
      'preview',
      'Gateways',
      '--action',
      'add_tags',
      '--tags',
      'x',
      '--window',
      'daily 02:00-04:00 Mars/Olympus',
    );
    assert.equal(zone.code, 2);
    assert.match(zone.stderr, /--window .*"Mars\/Olympus" is not an IANA time zone name/);
    const until = await cli(
      'start',
      'Gateways',
      '--action',
      'add_tags',
      '--tags',
      'x',
      '--continuous-until',
      'tomorrow',
    );
    assert.equal(until.code, 2);
    assert.match(until.stderr, /option '--continuous-until <iso-time>' argument 'tomorrow' is invalid/);
  });

  it('when an admin creates a webhook with short event names, then list and get show it and the secret is printed once', async () => {
    const admin = userOf('admin');
    assert.equal((await adminCli('login', '--email', admin.email, '--password', admin.password)).code, 0);
    const created = await adminCli(
      'webhooks',
      'create',
      '--url',
      'http://127.0.0.1:9/fleet-hook',
      '--event',
      'started',
      'bulk_response.completed',
      '--json',
    );
    assert.equal(created.code, 0, created.stderr);
    const webhook = JSON.parse(created.stdout) as WebhookCreated;
    assert.deepEqual(webhook.events, ['bulk_response.started', 'bulk_response.completed']);
    assert.match(webhook.secret, /^whsec_[0-9a-f]{64}$/);
    webhookId = webhook._id;
    const listed = await adminCli('webhooks', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ID\s+URL\s+EVENTS\s+CREATED\n/);
    assert.match(
      listed.stdout,
      new RegExp(`${webhookId}\\s+http://127.0.0.1:9/fleet-hook\\s+bulk_response.started,bulk_response.completed`),
    );
    const shown = await adminCli('webhooks', 'get', webhookId, '--json');
    assert.equal((JSON.parse(shown.stdout) as WebhookCreated[])[0]?.url, 'http://127.0.0.1:9/fleet-hook');
    assert.doesNotMatch(shown.stdout, /whsec_/);
    const forbidden = await cli('webhooks', 'list');
    assert.equal(forbidden.code, 2);
    assert.match(forbidden.stderr, /HTTP 403/);
  });

  it('when a gateway command is previewed on the gateways fleet by name, then it counts the fleet and starts nothing', async () => {
    const run = await cli('preview', 'Gateways', '--action', 'issue_command', '--gateway-command', 'reboot', '--json');
    assert.equal(run.code, 0, run.stderr);
    const preview = JSON.parse(run.stdout) as FleetActionPreview;
    assert.equal(preview.total, 400);
    assert.deepEqual(preview.skipped, { inactive: 20 });
    assert.equal(preview.eligible, 380);
    const listed = await cli('list', '--json');
    assert.deepEqual(JSON.parse(listed.stdout), []);
  });

  it('when the body comes from a file and rollout flags are added, then both reach the server', async () => {
    const bodyFile = path.join(configDir, 'reboot.json');
    writeFileSync(bodyFile, JSON.stringify({ action: 'issue_command', gateway_command: 'reboot' }));
    const run = await cli(
      'preview',
      'Gateways',
      '--body',
      bodyFile,
      '--canary-percent',
      '10',
      '--skip-offline',
      '--json',
    );
    assert.equal(run.code, 0, run.stderr);
    const preview = JSON.parse(run.stdout) as FleetActionPreview;
    assert.equal(preview.eligible + (preview.skipped.offline ?? 0), 380);
    assert.equal(preview.canary_devices, Math.ceil(preview.online / 10));
    assert.ok(preview.canary_devices > 0);
  });

  it('when an action is started and watched to completion, then watch exits 0 and shows the final counts', async () => {
    const started = await cli('start', 'Gateways', '--action', 'issue_command', '--gateway-command', 'reboot');
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    assert.match(id, /^[0-9a-f]{24}$/);
    assert.match(started.stderr, new RegExp(`Temporal UI: http.*/workflows/${id}`));

    const watched = await cli('watch', id);
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(
      watched.stdout,
      new RegExp(`${id} completed: 400/400 finished, success 380, fail 0, timed_out 0, skipped 20`),
    );
    const final = await bulkResponseClient(stack.app, demo.tokens.operator).view(id);
    assert.equal(final.status, 'completed');
  });

  it('when rollouts ran, then webhooks deliveries lists each attempt (refused: the worker allows no loopback) and delete removes the webhook', async () => {
    let deliveries: WebhookDelivery[] = [];
    for (let tries = 0; deliveries.length < 2 && tries < 60; tries++) {
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      const run = await adminCli('webhooks', 'deliveries', webhookId, '--json');
      assert.equal(run.code, 0, run.stderr);
      deliveries = JSON.parse(run.stdout) as WebhookDelivery[];
    }
    assert.deepEqual(
      new Set(deliveries.map((delivery) => delivery.event)),
      new Set(['bulk_response.started', 'bulk_response.completed']),
    );
    assert.ok(deliveries.every((delivery) => delivery.outcome === 'refused' && delivery.attempt === 1));
    const table = await adminCli('webhooks', 'deliveries', webhookId);
    assert.match(table.stdout, /^FINISHED\s+EVENT_ID\s+ATTEMPT\s+OUTCOME\s+HTTP\s+ERROR\n/);
    assert.match(table.stdout, /:bulk_response\.completed:1\s+1\s+refused\s+-\s+127\.0\.0\.1 is /);
    const deleted = await adminCli('webhooks', 'delete', webhookId);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout.trim(), `deleted ${webhookId}`);
    assert.equal((await adminCli('webhooks', 'get', webhookId)).code, 2);
  });

  it('when a continuous rollout is started with a window that is closed now, then the request carries both, watch shows what it waits for, and cancel ends it', async () => {
    const day = weekdayIn(2);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const started = await cli(
      'start',
      'Gateways',
      '--action',
      'issue_command',
      '--gateway-command',
      'reboot',
      '--window',
      `${day} 00:00-01:00 UTC`,
      '--window',
      `${day} 12:00-13:00 Europe/Berlin`,
      '--continuous-until',
      until,
      '--check-interval',
      '10',
    );
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    const operatorApi = bulkResponseClient(stack.app, demo.tokens.operator);
    const view = await operatorApi.view(id);
    assert.deepEqual(view.request.rollout, {
      windows: [
        { days: [day], start: '00:00', end: '01:00', timezone: 'UTC' },
        { days: [day], start: '12:00', end: '13:00', timezone: 'Europe/Berlin' },
      ],
      continuous: { until, check_interval_seconds: 10 },
    });
    let waitingFor = view.waiting_for ?? '';
    for (let tries = 0; !waitingFor.includes('maintenance window') && tries < 60; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      waitingFor = (await operatorApi.view(id)).waiting_for ?? '';
    }
    const watching = cli('watch', id);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const canceled = await cli('cancel', id);
    assert.equal(canceled.code, 0, canceled.stderr);
    const watched = await watching;
    assert.equal(watched.code, 1, watched.stderr);
    assert.match(watched.stdout, /waiting for the maintenance window opening at \d{4}-\d\d-\d\dT.* \(/);
    assert.match(watched.stdout, new RegExp(`${id} canceled: `));
    assert.equal((await operatorApi.view(id)).counts.success, 0);
  });

  it('when a rollout ends with errors, then start --watch exits 1 and reports completed_with_errors, with --rollout and flags merged', async () => {
    await fleet?.stop();
    fleet = undefined;
    const run = await cli(
      'start',
      'Gateways',
      '--action',
      'issue_command',
      '--gateway-command',
      'reboot',
      '--device-timeout',
      '2',
      '--rollout',
      '{"retry":{"max_attempts":1},"max_in_flight":500}',
      '--watch',
      '--json',
    );
    assert.equal(run.code, 1, run.stderr);
    const [final] = JSON.parse(run.stdout) as {
      _id: string;
      status: string;
      counts: { timed_out: number; skipped: number };
    }[];
    assert.equal(final?.status, 'completed_with_errors');
    assert.equal(final?.counts.timed_out, 380);
    assert.equal(final?.counts.skipped, 20);
    const view = await bulkResponseClient(stack.app, demo.tokens.operator).view(final._id);
    assert.deepEqual(view.request.rollout, {
      retry: { max_attempts: 1 },
      max_in_flight: 500,
      device_timeout_seconds: 2,
    });
  });

  it("when the suite's rollouts ended, then each tallies: counts are the entries, each final once, acted = success + fail", async () => {
    const tallied = await assertEveryEndedRolloutTallies({
      app: stack.app,
      token: demo.tokens.viewer,
      database: stack.database,
      companyId: demo.credentials.company_id,
      fleets: fleets,
    });
    assert.ok(tallied > 0);
  });
});
