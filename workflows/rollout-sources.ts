import type { DeviceSource } from '../contracts/bulk-action.types';

// A continuous rollout's sweep walks the fleet as it is at the sweep's start: devices created since
// the action started are in it, and every device it already acted on is left out by the page query.
export function sourceAsOf(source: DeviceSource, sweepStartedAt: number | null): DeviceSource {
  if (sweepStartedAt === null || source.kind !== 'fleet') return source;
  return { ...source, createdBefore: new Date(sweepStartedAt).toISOString() };
}
