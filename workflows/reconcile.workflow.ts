import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';

const reconciler = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

// Started every 30 s by the reconciler schedule: ends bulk responses whose execution ended
// outside the rollout's own code (terminated, timed out, failed, never started).
export async function reconcileWorkflow(): Promise<{ checked: number; ended: number }> {
  return reconciler.reconcileBulkResponses();
}
