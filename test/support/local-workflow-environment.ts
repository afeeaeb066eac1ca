import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../config/config';

// The Temporal dev server (the project's pinned CLI), for workflow tests in real time. Temporal
// recommends it over the time-skipping server for general workflow tests; here the time-skipping
// server also mishandles timers started and cancelled around async-completed activities.
export function startLocalWorkflowEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: loadConfig().temporal.cliPath }, ui: false },
  });
}
