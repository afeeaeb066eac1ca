import { CancellationScope } from '@temporalio/workflow';
import type { RegistryActionInput } from '../contracts/bulk-action.types';
import type { RolloutModel } from '../contracts/rollout-model';
import type { DriveResult } from './device-rollout';
import { longRegistry, registry } from './rollout-activities';
import type { RolloutRecorder } from './rollout-record';
import { endTurn } from './rollout-turn';
import { checkNewcomers, sourceAsOf } from './rollout-sources';

// A page is one transaction of one activity. The registry's cost per device falls until about
// 2,000 devices a page, and every page also pays an activity round trip: 2,000-device pages took
// add_tags on 100,000 devices from 21 s to 9.4 s (docs/decisions.md).
const registryPageSize = 2_000;
// Pages per run: a run's history stays a few hundred events whatever the fleet size.
const pagesPerRun = 50;

// A registry action: each page of the fleet changes in one statement, with its rows; nothing to
// wait for. Pause, cancel, windows and continuous sweeps work as for device actions.
export async function driveRegistry(
  input: RegistryActionInput,
  model: RolloutModel,
  recorder: RolloutRecorder,
  shouldRest: () => boolean,
): Promise<DriveResult> {
  for (let pages = 0; ;) {
    if (pages >= pagesPerRun || shouldRest()) return 'rest';
    const now = Date.now();
    if (model.needsUnreachedSettled) {
      const snapshot = await CancellationScope.nonCancellable(() =>
        longRegistry.settleUnreached({
          bulkResponseId: input.bulkResponseId,
          companyId: input.companyId,
          source: input.source,
          command: undefined,
          rollout: input.request.rollout,
          stage: 0,
          cancelWaiting: false,
          message: 'not changed: the rollout stopped first',
        }),
      );
      model.unreachedSettled(snapshot);
      continue;
    }
    if (model.checkDue(now)) {
      await checkNewcomers(input, model, now);
      continue;
    }
    const page = model.pageWanted();
    if (page?.kind === 'fleet' && model.mayWorkNow(now)) {
      pages += 1;
      const sweepStartedAt = model.sweepStartedAt;
      const applied = await registry.applyRegistryPage({
        bulkResponseId: input.bulkResponseId,
        companyId: input.companyId,
        source: sourceAsOf(input.source, sweepStartedAt),
        request: input.request,
        afterDeviceId: page.after,
        limit: registryPageSize,
        ...(sweepStartedAt !== null ? { newcomers: true } : {}),
      });
      model.fleetPageLoaded({
        devices: [],
        lastDeviceId: applied.lastDeviceId,
        full: applied.deviceCount === registryPageSize,
        newDevices: applied.newDevices ?? 0,
      });
      model.counted(applied.snapshot);
      recorder.noteChanges();
      continue;
    }
    const ended = await endTurn(model, recorder, now);
    if (ended) return { ended };
  }
}
