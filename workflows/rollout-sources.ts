import type { DeviceSource } from '../contracts/bulk-action.types';
import type { RolloutModel } from '../contracts/rollout-model';
import { registryReads } from './rollout-activities';

// A continuous rollout's sweep walks the fleet as it is at the sweep's start: devices created since
// the action started are in it, and every device it already acted on is left out by the page query.
export function sourceAsOf(source: DeviceSource, sweepStartedAt: number | null): DeviceSource {
  if (sweepStartedAt === null || source.kind !== 'fleet') return source;
  return { ...source, createdBefore: new Date(sweepStartedAt).toISOString() };
}

// A continuous rollout's periodic look: how many devices came to match its fleet since it started
// its last sweep (the model starts a new sweep when there are any).
export async function checkNewcomers(
  input: { bulkResponseId: string; companyId: string; source: DeviceSource },
  model: RolloutModel,
  now: number,
): Promise<void> {
  const newcomers = await registryReads.countFleetNewcomers({
    bulkResponseId: input.bulkResponseId,
    companyId: input.companyId,
    source: sourceAsOf(input.source, now),
  });
  model.newcomersChecked(now, newcomers);
}
