import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';

// How the rollout calls its activities. Short: a registry call takes well under a second, and a
// worker killed mid-call should cost the rollout seconds, not minutes, before another worker
// retries it; bounded, so a registry that stays down fails the rollout instead of hanging it.
const registryOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
};

export const registry = proxyActivities<Activities>(registryOptions);

// Walking every unreached device of a large fleet at a stop takes a while; it heartbeats.
export const longRegistry = proxyActivities<Activities>({
  ...registryOptions,
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
});

// A short read whose result only decides what to do next: a local activity writes one marker
// event instead of three.
export const registryReads = proxyLocalActivities<Activities>(registryOptions);

// A turn's devices reached: one local activity per launch (a marker in the history, no round trip
// to the server), retried for about half a minute (a broker restart) before its devices end `fail`.
// Its summary names the command and the devices, for the Temporal UI.
const deviceDispatchOptions: LocalActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    maximumAttempts: 8,
  },
};

export function deviceDispatch(summary: string) {
  return proxyLocalActivities<Activities>({ ...deviceDispatchOptions, summary });
}
