import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FleetActionPreview } from '../../contracts/fleet-action-preview.schema';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { bulkResponseClient } from '../support/bulk-response-client';
import { openDemoSession, type DemoSession } from '../support/demo-session';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { simulateCompanyDevices } from '../support/simulated-demo-fleet';

const binary = path.resolve(import.meta.dirname, '../../bin/fleet-actions.js');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

// The real `fleet-actions` binary in a child process, as an operator runs it, against the API
// listening on a free loopback port; its token cache lives in a throw-away directory.
function runCli(args: string[], environment: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [binary, ...args],
      { env: { ...process.env, ...environment }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('fleet-actions CLI end to end (real binary, dev server, registry, broker, simulator)', () => {
  let stack: EngineStack;
  let demo: DemoSession;
  let fleet: SimulatedFleet | undefined;
  let server: Server;
  let configDir: string;
  let environment: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, environment);
  const operator = () => demo.credentials.users.find((user) => user.role === 'operator')!;

  before(async () => {
    stack = await startEngineStack();
    demo = await openDemoSession(stack.app, stack.database, stack.dataDir);
    fleet = await simulateCompanyDevices(stack.database, demo.credentials.company_id, stack.broker.url, {
      behaviour: { latency: { minMs: 5, maxMs: 40 }, failureRate: 0, heartbeatScale: 100 },
    });
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    configDir = mkdtempSync(path.join(tmpdir(), 'fleet-actions-cli-'));
    environment = {
      FLEET_ACTIONS_API: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      FLEET_ACTIONS_CONFIG_DIR: configDir,
    };
    await new Promise((resolve) => setTimeout(resolve, 2500));
  });
  after(async () => {
    await fleet?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stack?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('when every verb is asked for --help, then each answers with its usage and exit code 0', async () => {
    for (const verb of ['login', 'fleets', 'preview', 'start', 'watch', 'list', 'pause', 'resume', 'cancel', 'retry']) {
      const run = await cli(verb, '--help');
      assert.equal(run.code, 0, `${verb}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`Usage: fleet-actions ${verb}`));
    }
  });

  it('when a verb runs before login, then it says so and exits 2', async () => {
    const run = await cli('list');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /not logged in/);
  });

  it('when the operator logs in, then the session token is cached in a file only its owner can read', async () => {
    const run = await cli('login', '--email', operator().email, '--password', operator().password);
    assert.equal(run.code, 0, run.stderr);
    const file = path.join(configDir, 'session.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match((JSON.parse(readFileSync(file, 'utf8')) as { session_token: string }).session_token, /.{20,}/);
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

  it('when a rollout ends with errors, then start --watch exits 1 and reports completed_with_errors', async () => {
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
    const [final] = JSON.parse(run.stdout) as { status: string; counts: { timed_out: number; skipped: number } }[];
    assert.equal(final?.status, 'completed_with_errors');
    assert.equal(final?.counts.timed_out, 380);
    assert.equal(final?.counts.skipped, 20);
  });
});
