import type { Client, Connection } from '@temporalio/client';
import type { Priority } from '@temporalio/common';
import proto from '@temporalio/proto';
import { eventually } from './bounded-waits';

// Executions no worker runs, to see in which order the server's matcher hands out their first
// workflow tasks: started one after another, left in the task queue's backlog until all are there,
// then taken by bare polls (never completed; the server goes with the test).

export interface Probe {
  id: string;
  priority: Priority;
}

const namespace = 'default';

async function backlogCount(connection: Connection, taskQueue: string): Promise<number> {
  const description = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: proto.temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    reportStats: true,
  });
  return Number(description.stats?.approximateBacklogCount ?? 0);
}

export async function startProbes(temporal: Client, taskQueue: string, probes: readonly Probe[]): Promise<void> {
  for (const probe of probes)
    await temporal.workflow.start('probe', { taskQueue, workflowId: probe.id, priority: probe.priority, args: [] });
  await eventually(
    async () => (await backlogCount(temporal.connection as Connection, taskQueue)) >= probes.length,
    30_000,
    `${probes.length} tasks in the backlog of ${taskQueue}`,
  );
}

// The workflow ids of the next `count` workflow tasks the task queue hands out, in order.
export async function pollOrder(connection: Connection, taskQueue: string, count: number): Promise<string[]> {
  const order: string[] = [];
  while (order.length < count) {
    // A long poll answers at once when a task waits; the deadline bounds it when none does.
    const task = await connection.withDeadline(Date.now() + 10_000, () =>
      connection.workflowService.pollWorkflowTaskQueue({
        namespace,
        taskQueue: { name: taskQueue, kind: proto.temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        identity: 'task-queue-probe',
      }),
    );
    const id = task.workflowExecution?.workflowId;
    if (id) order.push(id);
  }
  return order;
}
