import { condition, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { RegistryActionInput } from '../contracts/bulk-action.types';
import { addCounts } from '../contracts/statuses';
import type { RolloutState } from './rollout-state';

const registryPageSize = 500;
// Pages per run: a run's history stays a few hundred events whatever the fleet size.
const pagesPerRun = 50;

const registry = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

// A registry action: the registry changes a page of devices in one statement; nothing to wait for.
export async function runRegistryPass(
  action: RegistryActionInput,
  state: RolloutState,
  shouldRest: () => boolean,
): Promise<'done' | 'rest'> {
  const { carry } = state;
  for (let pages = 0; !carry.walkDone; pages++) {
    await condition(() => !carry.paused);
    if (pages >= pagesPerRun || shouldRest()) return 'rest';
    const page = await registry.applyRegistryPage({
      bulkResponseId: action.bulkResponseId,
      companyId: action.companyId,
      source: action.source,
      request: action.request,
      afterDeviceId: carry.cursor,
      limit: registryPageSize,
    });
    addCounts(carry.closed, { ...page.counts, total: 0 });
    carry.cursor = page.lastDeviceId ?? carry.cursor;
    carry.walkDone = page.deviceCount < registryPageSize;
    state.progressDirty = true;
  }
  return 'done';
}
