import type { Activities } from '../../activities/create-activities';
import type { FinalizeInput } from '../../activities/bulk-response.activities';
import type { RegistryPageInput } from '../../activities/registry-actions.activities';
import { emptyCounts, type BulkCounts } from '../../contracts/statuses';

// In-memory activities over a numbered device list, complete and typed, for workflow tests.
export function fakeActivities(deviceCount: number, options: { pageDelayMilliseconds?: number } = {}) {
  const deviceIds = Array.from({ length: deviceCount }, (_, index) => index.toString(16).padStart(24, '0'));
  const applied = new Map<string, number>();
  const finalized: FinalizeInput[] = [];
  const activities: Activities = {
    startBulkResponse: () => Promise.resolve(deviceCount),
    recordBulkStatus: () => Promise.resolve(),
    applyRegistryPage: async (input: RegistryPageInput) => {
      if (options.pageDelayMilliseconds) await new Promise((resolve) => setTimeout(resolve, options.pageDelayMilliseconds));
      const page = deviceIds.filter((id) => id > (input.afterDeviceId ?? '')).slice(0, input.limit);
      for (const id of page) applied.set(id, (applied.get(id) ?? 0) + 1);
      return { counts: { success: page.length }, lastDeviceId: page.at(-1) ?? null, deviceCount: page.length };
    },
    finalizeBulkResponse: (input: FinalizeInput) => {
      finalized.push(input);
      const counts: BulkCounts = { ...emptyCounts(), total: deviceCount, success: applied.size };
      counts.canceled = input.status === 'canceled' ? deviceCount - applied.size : 0;
      return Promise.resolve(counts);
    },
  };
  return { activities, applied, finalized, deviceIds };
}
