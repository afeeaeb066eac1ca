import { Client, Connection } from '@temporalio/client';
import type { Queryable } from '../registry/database';

// What an unfinished rollout waits for, for a run that stopped progressing: from the registry,
// its device rows still waiting (by status), how far their deadlines and next re-sends are, and
// what its record says; from Temporal, whether its execution runs and which activities it has
// pending (a registry call a killed worker had started waits out its start-to-close timeout).
// Device commands are local activities now: a silent device is a row, never a pending activity.

export interface WaitingRollout {
  bulkResponseId: string;
  status: string;
  phase: string | null;
  waiting: Record<string, number>;
  // Seconds from now (negative: passed) to the earliest deadline and re-send among waiting rows.
  earliestDeadlineInSeconds: number | null;
  latestDeadlineInSeconds: number | null;
  nextResendInSeconds: number | null;
  execution: string;
  pendingActivities: string[];
}

export async function waitingRollouts(
  database: Queryable,
  temporal: { address: string; namespace: string },
): Promise<WaitingRollout[]> {
  const rows = await database.query<
    Omit<WaitingRollout, 'bulkResponseId' | 'execution' | 'pendingActivities'> & { id: string }
  >(
    `select b.id, b.status, b.rollout_state ->> 'phase' as phase,
       coalesce((select jsonb_object_agg(status, devices) from (select status, count(*)::int as devices
         from bulk_response_devices where bulk_response_id = b.id and status in ('sent', 'enqueued', 'in_progress')
         group by status) as waiting), '{}'::jsonb) as waiting,
       (select extract(epoch from min(deadline_at) - now())::float8 from bulk_response_devices
         where bulk_response_id = b.id and status in ('sent', 'enqueued', 'in_progress')) as "earliestDeadlineInSeconds",
       (select extract(epoch from max(deadline_at) - now())::float8 from bulk_response_devices
         where bulk_response_id = b.id and status in ('sent', 'enqueued', 'in_progress')) as "latestDeadlineInSeconds",
       (select extract(epoch from min(next_send_at) - now())::float8 from bulk_response_devices
         where bulk_response_id = b.id and status = 'sent') as "nextResendInSeconds"
     from bulk_responses b where b.completed_at is null order by b.created_at`,
  );
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const client = new Client({ connection, namespace: temporal.namespace });
    const waiting: WaitingRollout[] = [];
    for (const { id, ...row } of rows) waiting.push({ bulkResponseId: id, ...row, ...(await executionOf(client, id)) });
    return waiting;
  } finally {
    await connection.close();
  }
}

async function executionOf(client: Client, id: string): Promise<{ execution: string; pendingActivities: string[] }> {
  try {
    const description = await client.workflow.getHandle(id).describe();
    const pendingActivities = (description.raw.pendingActivities ?? []).map(
      (activity) => `${activity.activityType?.name ?? '?'} (attempt ${activity.attempt ?? 0})`,
    );
    return { execution: description.status.name, pendingActivities };
  } catch (error) {
    return { execution: `unknown: ${error instanceof Error ? error.message : String(error)}`, pendingActivities: [] };
  }
}
