import { proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';

// How every workflow calls the registry. Short: a registry call takes well under a second, and a
// worker killed mid-call should cost the rollout seconds, not minutes, before another worker
// retries it; bounded, so a registry that stays down fails the rollout instead of hanging it.
const registryOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
};

export const registry = proxyActivities<Activities>(registryOptions);

// A short read whose result only decides what to do next: a local activity writes one marker
// event instead of three.
export const registryReads = proxyLocalActivities<Activities>(registryOptions);
