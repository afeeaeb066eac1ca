import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/config';

// Which server runs the rollouts: the dev server in real time (device deadlines of seconds), or
// the time-skipping test server (windows, start_at and sweeps hours or days ahead).
export type ServerKind = 'dev-server' | 'time-skipping';

let runtimeInstalled = false;

// The project's pinned binaries (.tools/venv), in memory, on free ports. `serverArgs` go to the
// dev server (e.g. dynamic configuration that suggests continue-as-new early).
export async function startTemporalTestServer(
  kind: ServerKind,
  serverArgs: string[] = [],
): Promise<TestWorkflowEnvironment> {
  if (!runtimeInstalled) Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
  const { temporal } = loadConfig();
  if (kind === 'time-skipping')
    return TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporal.testServerPath } },
    });
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporal.cliPath }, ui: false, extraArgs: serverArgs },
  });
}
