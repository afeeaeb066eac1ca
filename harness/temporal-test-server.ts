import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { dynamicConfigArguments, priorityAndFairness } from '../scripts/embedded/temporal-dev-server';

// Which server runs the rollouts: the dev server in real time (device deadlines of seconds), or
// the time-skipping test server (windows, start_at and sweeps hours or days ahead).
export type ServerKind = 'dev-server' | 'time-skipping';

let runtimeInstalled = false;

// The project's pinned binaries (.tools/venv), in memory, on free ports. The dev server runs with
// the priority and fairness matcher `npm start` runs with; `serverArgs` go to it too (e.g. dynamic
// configuration that suggests continue-as-new early).
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
    server: {
      executable: { type: 'existing-path', path: temporal.cliPath },
      ui: false,
      extraArgs: [...dynamicConfigArguments(priorityAndFairness), ...serverArgs],
    },
  });
}
