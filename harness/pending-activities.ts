import { Client, Connection } from '@temporalio/client';

// What the running executions wait for, grouped by activity type and state: a run that stops
// progressing shows whether an activity of a killed worker waits out its start-to-close timeout.

// temporal.api.enums.v1.PendingActivityState, by number.
const states = ['UNSPECIFIED', 'SCHEDULED', 'STARTED', 'CANCEL_REQUESTED', 'PAUSED', 'PAUSE_REQUESTED'];

export interface PendingActivityGroup {
  count: number;
  maxAttempt: number;
  // Seconds since the oldest of them was last started (0 when none started).
  oldestStartedSecondsAgo: number;
}

export async function pendingActivities(
  address: string,
  namespace: string,
): Promise<Record<string, PendingActivityGroup>> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace });
    const groups: Record<string, PendingActivityGroup> = {};
    for await (const execution of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
      const description = await client.workflow.getHandle(execution.workflowId, execution.runId).describe();
      for (const activity of description.raw.pendingActivities ?? []) {
        const state = states[activity.state ?? 0] ?? String(activity.state);
        const key = `${activity.activityType?.name ?? '?'}/${state}`;
        const started = Number(activity.lastStartedTime?.seconds ?? 0) * 1000;
        const group = (groups[key] ??= { count: 0, maxAttempt: 0, oldestStartedSecondsAgo: 0 });
        group.count += 1;
        group.maxAttempt = Math.max(group.maxAttempt, activity.attempt ?? 0);
        if (started > 0)
          group.oldestStartedSecondsAgo = Math.max(group.oldestStartedSecondsAgo, (Date.now() - started) / 1000);
      }
    }
    return groups;
  } finally {
    await connection.close();
  }
}
