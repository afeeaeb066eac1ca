import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities/create-activities';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  // Tests bundle the workflows once and share the bundle between workers.
  workflowBundle?: WorkflowBundleWithSourceMap;
}

export function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: createActivities(options.dependencies),
    // Device activities complete asynchronously, so slots turn over fast; a generous slot count
    // keeps registry pages and dispatch busy without holding anything while devices answer.
    maxConcurrentActivityTaskExecutions: 200,
    // A worker killed -9 leaves its cached executions' tasks on its sticky queue: the server hands
    // them to any worker after this long (default 10 s, which idled every rollout that long).
    stickyQueueScheduleToStartTimeout: '3 seconds',
  });
}
