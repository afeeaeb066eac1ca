import { hostname } from 'node:os';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { loadConfig } from '../../config/config';

// Healthcheck of a worker container (docker-compose.yml): healthy while Temporal lists a poller
// of this host on the task queue, for workflow and for activity tasks. A worker identity is
// `<pid>@<hostname>`, and a container's hostname is its own.
const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = proto.temporal.api.enums.v1.TaskQueueType;

async function pollsFromThisHost(connection: Connection, namespace: string, name: string, taskQueueType: number) {
  const { pollers } = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name },
    taskQueueType,
  });
  return (pollers ?? []).some((poller) => poller.identity?.endsWith(`@${hostname()}`) ?? false);
}

async function main(): Promise<number> {
  const config = loadConfig();
  const connection = await Connection.connect({ address: config.temporal.address, connectTimeout: 5000 });
  try {
    const { namespace, taskQueue } = config.temporal;
    const workflow = await pollsFromThisHost(connection, namespace, taskQueue, TASK_QUEUE_TYPE_WORKFLOW);
    const activity = await pollsFromThisHost(connection, namespace, taskQueue, TASK_QUEUE_TYPE_ACTIVITY);
    return workflow && activity ? 0 : 1;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
