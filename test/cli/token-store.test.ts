import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { authenticatedClient } from '../../cli/api-client';
import { CliError } from '../../cli/cli-error';
import { forgetSession, listSessions, loadSession, saveSession } from '../../cli/token-store';

// The CLI's session file in a throw-away config directory (the variable the CLI documents).
const root = mkdtempSync(path.join(tmpdir(), 'fleet-actions-sessions-'));
let directory = root;
const file = () => path.join(directory, 'session.json');
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe('CLI sessions, one per server (no server)', () => {
  let runs = 0;
  beforeEach(() => {
    directory = path.join(root, `run-${++runs}`);
    process.env.FLEET_ACTIONS_CONFIG_DIR = directory;
  });
  after(() => {
    delete process.env.FLEET_ACTIONS_CONFIG_DIR;
    rmSync(root, { recursive: true, force: true });
  });

  it('when logged in to a second server, then the first keeps its session, and the file stays readable by its owner only', async () => {
    await saveSession({ api: 'http://127.0.0.1:3000', email: 'a@example.com', session_token: 'token-a' });
    await saveSession({ api: 'https://fleet.example.com/', email: 'b@example.com', session_token: 'token-b' });
    assert.equal((await loadSession('http://127.0.0.1:3000'))?.session_token, 'token-a');
    assert.equal((await loadSession('https://fleet.example.com'))?.session_token, 'token-b');
    assert.equal((await loadSession('https://fleet.example.com///'))?.email, 'b@example.com');
    assert.equal(statSync(file()).mode & 0o777, 0o600);
    await saveSession({ api: 'http://127.0.0.1:3000', email: 'c@example.com', session_token: 'token-c' });
    assert.deepEqual((await listSessions()).map((session) => [session.api, session.session_token]).sort(), [
      ['http://127.0.0.1:3000', 'token-c'],
      ['https://fleet.example.com', 'token-b'],
    ]);
  });

  it('when one server is logged out of, then only its session goes', async () => {
    await saveSession({ api: 'http://one', email: 'a', session_token: 'token-one' });
    await saveSession({ api: 'http://two', email: 'b', session_token: 'token-two' });
    assert.equal(await forgetSession('http://one/'), true);
    assert.equal(await forgetSession('http://one'), false);
    assert.equal(await loadSession('http://one'), undefined);
    assert.equal((await loadSession('http://two'))?.session_token, 'token-two');
  });

  it('when a verb needs a server without a session, or whose session expired, then it says which and what to run', async () => {
    await saveSession({ api: 'http://one', email: 'a', session_token: 'token-one', session_expires_at: inAnHour() });
    await assert.rejects(
      authenticatedClient('http://two'),
      (error: unknown) =>
        error instanceof CliError &&
        error.message ===
          'not logged in to http://two (logged in to http://one): run "fleet-actions login --api http://two" first',
    );
    assert.equal((await authenticatedClient('http://one/')).baseUrl, 'http://one');
    await saveSession({
      api: 'http://two',
      email: 'b',
      session_token: 't',
      session_expires_at: '2020-01-01T00:00:00Z',
    });
    await assert.rejects(
      authenticatedClient('http://two'),
      /the session for http:\/\/two expired at 2020-01-01T00:00:00Z/,
    );
  });
});
