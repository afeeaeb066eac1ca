import { after, before } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../../config/config';
import type { fakeActivities } from './fake-activities';
import { sharedWorkflowBundle } from './workflow-bundle';

export interface TimeSkippingSuite {
  // Set once the suite's `before` ran.
  readonly environment: TestWorkflowEnvironment;
  withWorker: <T>(fake: ReturnType<typeof fakeActivities>, work: (taskQueue: string) => Promise<T>) => Promise<T>;
}

// One time-skipping test server for the enclosing `describe`, and a worker over fake activities
// for each test: hours of workflow time pass in seconds while no activity is outstanding.
export function timeSkippingSuite(taskQueue: string): TimeSkippingSuite {
  let environment: TestWorkflowEnvironment | undefined;
  before(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    environment = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: loadConfig().temporal.testServerPath } },
    });
  });
  after(async () => {
    await environment?.teardown();
  });
  const started = (): TestWorkflowEnvironment => {
    if (!environment) throw new Error('the time-skipping server is not started yet');
    return environment;
  };
  return {
    get environment() {
      return started();
    },
    withWorker: async (fake, work) => {
      const worker = await Worker.create({
        connection: started().nativeConnection,
        taskQueue,
        workflowBundle: await sharedWorkflowBundle(),
        activities: fake.activities,
      });
      return worker.runUntil(work(taskQueue));
    },
  };
}
