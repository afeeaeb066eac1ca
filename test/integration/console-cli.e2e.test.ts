import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ActionTemplate, AuditEntry, ComplianceDevice, SettingCompliance } from '../../cli/api-types';
import { instantOf } from '../../cli/commands/audit.command';
import { closeServer, listen, runCli, urlOf } from '../support/cli-runner';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';

// The real binary's templates, start --template, audit and compliance verbs against the real
// engine and registry on the demo data (no devices connected: templates here are registry actions).
describe('fleet-actions CLI: templates, audit and compliance (real binary and engine)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let server: Server;
  let configDir: string;
  let startedId: string;
  const as =
    (role: 'admin' | 'operator') =>
    (...args: string[]) =>
      runCli(args, { FLEET_ACTIONS_API: urlOf(server), FLEET_ACTIONS_CONFIG_DIR: path.join(configDir, role) });
  const operator = as('operator');
  const admin = as('admin');

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    server = await listen(stack.app);
    configDir = mkdtempSync(path.join(tmpdir(), 'fleet-actions-console-cli-'));
    for (const user of demo.credentials.users.filter((candidate) => candidate.role !== 'viewer')) {
      const login = await as(user.role as 'admin' | 'operator')(
        'login',
        '--email',
        user.email,
        '--password',
        user.password,
      );
      assert.equal(login.code, 0, login.stderr);
    }
  });
  after(async () => {
    await closeServer(server);
    await stack?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('when the new verbs are asked for --help, then each answers with its usage', async () => {
    for (const verb of ['templates', 'templates list', 'templates create', 'audit', 'compliance']) {
      const run = await operator(...verb.split(' '), '--help');
      assert.equal(run.code, 0, `${verb}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`Usage: fleet-actions ${verb}`));
    }
    assert.match((await operator('start', '--help')).stdout, /--template <name\|id>/);
  });

  it('when an operator lists templates and saves one, then the demo ones show and the new id is printed', async () => {
    const listed = await operator('templates', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ID\s+NAME\s+ACTION\s+DESCRIPTION\n/);
    assert.match(listed.stdout, /Reboot with a 1 % canary\s+issue_command/);
    assert.match(listed.stdout, /Push the configuration\s+send_configuration/);
    const body = JSON.stringify({ action: 'add_tags', tags: ['from-template'], rollout: { max_in_flight: 20 } });
    const created = await operator('templates', 'create', '--name', 'Lobby tags', '--body', body);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout.trim(), /^[0-9a-f]{24}$/);
    const shown = JSON.parse((await operator('templates', 'get', 'lobby tags')).stdout) as ActionTemplate;
    assert.deepEqual(shown.body, JSON.parse(body));
  });

  it('when an operator starts a fleet from a template by name with an override and watches, then it completes with the override', async () => {
    const run = await operator(
      'start',
      'Lobby devices',
      '--template',
      'Lobby tags',
      '--tags',
      'cli-override',
      '--watch',
    );
    assert.equal(run.code, 0, run.stderr);
    startedId = run.stdout.split('\n')[0]!.trim();
    assert.match(startedId, /^[0-9a-f]{24}$/);
    const [row] = await stack.database.query<{ request: object }>('select request from bulk_responses where id = $1', [
      startedId,
    ]);
    assert.deepEqual(row?.request, { action: 'add_tags', tags: ['cli-override'], rollout: { max_in_flight: 20 } });
    const unknown = await operator('start', 'Lobby devices', '--template', 'No such template');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no template named "No such template"/);
  });

  it('when an admin reads the audit trail, then the start shows with the operator; an operator gets 403', async () => {
    const table = await admin('audit', '--action', 'bulk_response.start', '--since', '1h');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^AT\s+ACTOR\s+ROLE\s+ADDRESS\s+ACTION\s+OBJECT\s+STATUS\n/);
    assert.match(
      table.stdout,
      new RegExp(
        `operator@demo.example.com\\s+operator\\s+\\S+\\s+bulk_response.start\\s+bulk_response ${startedId}\\s+202`,
      ),
    );
    const entries = JSON.parse((await admin('audit', '--object', startedId, '--json')).stdout) as AuditEntry[];
    assert.deepEqual(
      entries.map((entry) => entry.action),
      ['bulk_response.start'],
    );
    const refused = await operator('audit');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /HTTP 403/);
    const wrong = await admin('audit', '--since', 'last tuesday');
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /HTTP 400.*query\.since/);
  });

  it('when compliance is asked by names, then the counts and the devices behind show', async () => {
    const summary = await operator('compliance', 'Gateway defaults', 'Network', '--fleet', 'Gateways');
    assert.equal(summary.code, 0, summary.stderr);
    assert.match(
      summary.stdout,
      /latest version {2}2\ndevices {9}400 \(400 not on the latest; 0 the configuration does not apply to\)\n {2}version 0 +400 \(none\)/,
    );
    const json = JSON.parse(
      (await operator('compliance', 'Gateway defaults', 'Network', '--json')).stdout,
    ) as SettingCompliance;
    assert.equal(json.not_applicable, 600);
    const devices = await operator(
      'compliance',
      'Gateway defaults',
      'Network',
      '--devices',
      '--not-latest',
      '--limit',
      '3',
      '--json',
    );
    assert.deepEqual(
      (JSON.parse(devices.stdout) as ComplianceDevice[]).map((device) => [device.unique_id, device.version]),
      [
        ['GW-0001', 0],
        ['GW-0002', 0],
        ['GW-0003', 0],
      ],
    );
  });

  it('when a relative time is given to --since, then it becomes that long ago', () => {
    assert.equal(instantOf('2h', Date.parse('2027-01-01T12:00:00Z')), '2027-01-01T10:00:00.000Z');
    assert.equal(instantOf('2027-01-01T00:00:00Z'), '2027-01-01T00:00:00Z');
  });
});
