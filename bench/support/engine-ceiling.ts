import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CompleteAsyncError, Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { installBenchRuntime } from './bench-runtime';
import type { CeilingPage, NoopDeviceActivities } from './engine-ceiling.workflow';

export interface EngineCeilingOptions {
  address: string;
  namespace: string;
  activities: number;
  maxInFlight: number;
  // Devices per page workflow (the product's batch size for the bench's rollout).
  pageSize: number;
  // Pages open at once; each gets an equal share of the window.
  openPages: number;
}

export interface EngineCeiling {
  activities: number;
  seconds: number;
  activitiesPerSecond: number;
  completionErrors: number;
  maxInFlight: number;
  pageSize: number;
  openPages: number;
}

// Devices per page workflow: what one batch child held before engine v3 (8,000 history events
// at three sends a device), kept so the ceiling stays the same yardstick across engine changes.
export const ceilingPageSize = 333;

const workflowsPath = fileURLToPath(new URL('./engine-ceiling.workflow.ts', import.meta.url));

// Completes each activity by its ids from this process, as the worker's acknowledgement completer
// does when a device answers: the product's path with no broker, no device and no registry.
function createNoopActivities(client: Client, onError: () => void): NoopDeviceActivities {
  return {
    noopDeviceCommand(): Promise<string> {
      const { workflowExecution, activityId } = Context.current().info;
      const workflowId = workflowExecution?.workflowId ?? '';
      setImmediate(() => {
        client.activity.complete({ workflowId, activityId }, 'success').catch(onError);
      });
      throw new CompleteAsyncError();
    },
  };
}

// Async-completed no-op device activities per second on the Temporal server at `address`, with a
// worker of the product's slot count on a task queue of its own (so it never meets the product's
// workers). The bundle is built before the clock starts.
export async function measureEngineCeiling(options: EngineCeilingOptions): Promise<EngineCeiling> {
  installBenchRuntime();
  const connection = await Connection.connect({ address: options.address });
  const client = new Client({ connection, namespace: options.namespace });
  const nativeConnection = await NativeConnection.connect({ address: options.address });
  let completionErrors = 0;
  const taskQueue = `engine-ceiling-${randomBytes(4).toString('hex')}`;
  try {
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: options.namespace,
      taskQueue,
      workflowsPath,
      activities: createNoopActivities(client, () => (completionErrors += 1)),
      maxConcurrentActivityTaskExecutions: 200,
    });
    const pages = pagesOf(options);
    const perPageWindow = Math.max(1, Math.floor(options.maxInFlight / options.openPages));
    let seconds = 0;
    await worker.runUntil(async () => {
      const started = performance.now();
      let next = 0;
      const runPages = async () => {
        while (next < pages.length) {
          const page = pages[next]!;
          next += 1;
          await client.workflow.execute('engineCeilingPageWorkflow', {
            taskQueue,
            workflowId: `${taskQueue}-page-${page.firstDevice}`,
            args: [{ ...page, maxInFlight: perPageWindow, deadlineSeconds: 300 } satisfies CeilingPage],
          });
        }
      };
      await Promise.all(Array.from({ length: options.openPages }, runPages));
      seconds = (performance.now() - started) / 1000;
    });
    return {
      activities: options.activities,
      seconds: Math.round(seconds * 10) / 10,
      activitiesPerSecond: Math.round(options.activities / seconds),
      completionErrors,
      maxInFlight: options.maxInFlight,
      pageSize: options.pageSize,
      openPages: options.openPages,
    };
  } finally {
    await nativeConnection.close();
    await connection.close();
  }
}

function pagesOf(options: EngineCeilingOptions): { firstDevice: number; devices: number }[] {
  const pages = [];
  for (let first = 0; first < options.activities; first += options.pageSize)
    pages.push({ firstDevice: first, devices: Math.min(options.pageSize, options.activities - first) });
  return pages;
}

export function describeCeiling(ceiling: EngineCeiling): string {
  return `engine ceiling: ${ceiling.activities} async-completed no-op activities in ${ceiling.seconds} s -> ${ceiling.activitiesPerSecond}/s (window ${ceiling.maxInFlight}, pages of ${ceiling.pageSize}, ${ceiling.openPages} open; completion errors ${ceiling.completionErrors})`;
}
