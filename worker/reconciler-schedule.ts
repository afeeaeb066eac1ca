import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';

export const reconcilerScheduleId = 'fleet-actions-reconciler';

// A Temporal Schedule runs the reconciler every 30 s, so a bulk response whose execution was
// terminated, timed out or never started is ended within a minute, whichever worker is alive.
// Created by every worker at start; the first one wins and the others find it there.
export async function ensureReconcilerSchedule(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: reconcilerScheduleId,
      spec: { intervals: [{ every: '30 seconds' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'reconcileWorkflow',
        workflowId: 'fleet-actions-reconcile',
        taskQueue,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
