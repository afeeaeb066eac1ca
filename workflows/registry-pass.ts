import { condition, patched } from '@temporalio/workflow';
import type { RegistryActionInput } from '../contracts/bulk-action.types';
import { addCounts } from '../contracts/statuses';
import type { RolloutState } from './rollout-state';
import { awaitNewcomers, sourceAsOf, waitForMaintenanceWindow } from './rollout-waits';
import { registry } from './registry-activities';

// A page is one transaction of one activity. The registry's cost per device falls until about
// 2,000 devices a page, and every page also pays an activity round trip: 2,000-device pages took
// add_tags on 100,000 devices from 21 s to 9.4 s on PGlite (docs/decisions.md). Executions
// started before the change keep their 500-device pages.
const largerPagesPatch = 'registry-pages-of-2000';
function registryPageSize(): number {
  return patched(largerPagesPatch) ? 2_000 : 500;
}
// Pages per run: a run's history stays a few hundred events whatever the fleet size.
const pagesPerRun = 50;

// A registry action: the registry changes a page of devices in one statement; nothing to wait for.
// A continuous rollout then sweeps the fleet again whenever devices came to match it.
export async function runRegistryPass(
  action: RegistryActionInput,
  state: RolloutState,
  shouldRest: () => boolean,
): Promise<'done' | 'rest'> {
  for (;;) {
    if ((await walkFleet(action, state, shouldRest)) === 'rest') return 'rest';
    state.carry.sweepStartedAt = null;
    const next = await awaitNewcomers(action, state, shouldRest);
    if (next !== 'sweep') return next === 'rest' ? 'rest' : 'done';
  }
}

async function walkFleet(
  action: RegistryActionInput,
  state: RolloutState,
  shouldRest: () => boolean,
): Promise<'walked' | 'rest'> {
  const { carry } = state;
  const pageSize = registryPageSize();
  for (let pages = 0; !carry.walkDone; pages++) {
    await condition(() => !carry.paused);
    if (pages >= pagesPerRun || shouldRest()) return 'rest';
    await waitForMaintenanceWindow(action, state, 0);
    if (carry.paused) continue;
    const sweep = carry.sweepStartedAt ?? null;
    const page = await registry.applyRegistryPage({
      bulkResponseId: action.bulkResponseId,
      companyId: action.companyId,
      source: sourceAsOf(action.source, sweep),
      request: action.request,
      afterDeviceId: carry.cursor,
      limit: pageSize,
      ...(sweep ? { newcomers: true } : {}),
    });
    addCounts(carry.closed, { ...page.counts, total: 0 });
    carry.total += page.newDevices ?? 0;
    carry.cursor = page.lastDeviceId ?? carry.cursor;
    carry.walkDone = page.deviceCount < pageSize;
    state.progressDirty = true;
  }
  return 'walked';
}
