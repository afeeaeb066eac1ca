import type { Rollout } from './fleet-action.schema';

// How many devices the canary commands before its gate: a count, or a share of the devices that
// will receive the action; never more than there are. Shared by the engine and the dry run.
export function canarySizeOf(rollout: Rollout | undefined, eligibleDevices: number): number {
  const canary = rollout?.canary;
  if (!canary || eligibleDevices <= 0) return 0;
  const wanted = canary.count ?? Math.ceil((eligibleDevices * (canary.percent ?? 0)) / 100);
  return Math.min(eligibleDevices, Math.max(1, wanted));
}
