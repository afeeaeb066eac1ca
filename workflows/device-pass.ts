import {
  ChildWorkflowCancellationType,
  condition,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeviceActionInput } from '../contracts/bulk-action.types';
import { batchWorkflowId } from '../contracts/ids';
import {
  batchSizeOf,
  canaryFailure,
  canarySizeOf,
  deviceDeadlineMillisecondsOf,
  rolloutLimits,
} from '../contracts/rollout-rules';
import { emptyCounts } from '../contracts/statuses';
import { batchWindowSignal, pauseSignal, resumeSignal, stopDispatchSignal } from './definitions';
import { rolloutBatchWorkflow } from './rollout-batch.workflow';
import type { RolloutState } from './rollout-state';
import { awaitNewcomers, sourceAsOf, waitForMaintenanceWindow } from './rollout-waits';

// The device side of a rollout: one continuous window over the whole fleet. A batch child loads a
// page and dispatches it; as soon as it has dispatched, the next batch starts, while earlier
// batches wait for their answers (their online devices still count against the window, which the
// dispatching batch is told about). `shouldRest` is asked between batches: true hands over to a
// fresh run (continue-as-new), with the open batches carried along.
export async function runDevicePass(
  action: DeviceActionInput,
  state: RolloutState,
  shouldRest: () => boolean,
  pause: () => void,
): Promise<'done' | 'rest'> {
  const { carry } = state;
  if (action.request.rollout?.canary && !carry.canaryPassed && carry.total > 0) await runCanary(action, state, pause);
  for (;;) {
    if ((await walkFleet(action, state, shouldRest)) === 'rest') return 'rest';
    carry.sweepStartedAt = null;
    if (carry.stopReason) break;
    const next = await awaitNewcomers(action, state, shouldRest);
    if (next === 'rest') return 'rest';
    if (next === 'ended') break;
  }
  if (carry.stopReason) await stopOpenBatches(action, state);
  await condition(() => state.open.size === 0 || shouldRest());
  return state.open.size === 0 ? 'done' : 'rest';
}

// One walk over the fleet (the initial pass, or a continuous rollout's sweep), a batch at a time.
async function walkFleet(
  action: DeviceActionInput,
  state: RolloutState,
  shouldRest: () => boolean,
): Promise<'walked' | 'rest'> {
  const { carry } = state;
  const batchSize = batchSizeOf(action.request.rollout);
  while (!carry.walkDone && !carry.stopReason) {
    await condition(
      () =>
        carry.stopReason !== null ||
        (!carry.paused && carry.dispatching === null && state.open.size < rolloutLimits.maxOpenBatches),
    );
    if (carry.stopReason || carry.walkDone) break;
    if (shouldRest()) return 'rest';
    await waitForMaintenanceWindow(action, state, deviceDeadlineMillisecondsOf(action.request.rollout));
    if (carry.stopReason || carry.paused) continue;
    await openBatch(action, state, { afterDeviceId: carry.cursor, limit: batchSize, canary: false });
    await condition(() => carry.dispatching === null || carry.stopReason !== null);
  }
  return 'walked';
}

async function runCanary(action: DeviceActionInput, state: RolloutState, pause: () => void): Promise<void> {
  const { carry } = state;
  if (carry.canaryBatch === null) {
    const size = canarySizeOf(action.request.rollout, carry.total);
    await waitForMaintenanceWindow(action, state, deviceDeadlineMillisecondsOf(action.request.rollout));
    carry.canaryBatch = carry.nextBatch;
    await openBatch(action, state, { afterDeviceId: null, limit: Math.max(1, size), canary: true });
  }
  const canaryBatch = carry.canaryBatch;
  await condition(() => !state.open.has(canaryBatch) || carry.stopReason !== null);
  if (carry.stopReason) return;
  const canaryCounts = state.counts();
  carry.canaryPassed = true;
  carry.stopReason = canaryFailure(action.request.rollout, canaryCounts) ?? null;
  if (!carry.stopReason && action.request.rollout?.canary?.then === 'pause') pause();
}

async function openBatch(
  action: DeviceActionInput,
  state: RolloutState,
  page: { afterDeviceId: string | null; limit: number; canary: boolean },
): Promise<void> {
  const batchNumber = state.carry.nextBatch;
  state.carry.nextBatch += 1;
  const others = state.othersOf(null);
  const sweepStartedAt = state.carry.sweepStartedAt;
  state.opened(batchNumber, emptyCounts());
  await startChild(rolloutBatchWorkflow, {
    workflowId: batchWorkflowId(action.bulkResponseId, batchNumber),
    args: [
      {
        action: sweepStartedAt ? { ...action, source: sourceAsOf(action.source, sweepStartedAt) } : action,
        ...(sweepStartedAt ? { sweep: true } : {}),
        batchNumber,
        rolloutWorkflowId: workflowInfo().workflowId,
        ...page,
        paused: state.carry.paused,
        others,
      },
    ],
    // Batches outlive the run that started them (continue-as-new) and report by signal; the
    // rollout cancels them itself, so every run treats every open batch alike.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    cancellationType: ChildWorkflowCancellationType.ABANDON,
    staticSummary: `${page.canary ? 'canary' : sweepStartedAt ? 'sweep batch' : 'batch'} ${batchNumber} of bulk response ${action.bulkResponseId}`,
  });
}

// Tells the dispatching batch what the others hold of the window whenever that changes.
export async function forwardWindow(action: DeviceActionInput, state: RolloutState): Promise<void> {
  const dispatching = state.carry.dispatching;
  if (!state.windowDirty || dispatching === null) return;
  state.windowDirty = false;
  await signalBatch(action, dispatching, (handle) => handle.signal(batchWindowSignal, state.othersOf(dispatching)));
}

// Pause and resume reach every open batch; only the dispatching one has anything to hold back.
export async function forwardPause(action: DeviceActionInput, state: RolloutState): Promise<void> {
  if (!state.pauseDirty) return;
  state.pauseDirty = false;
  const signal = state.carry.paused ? pauseSignal : resumeSignal;
  await Promise.all(
    [...state.open.keys()].map((batchNumber) => signalBatch(action, batchNumber, (handle) => handle.signal(signal))),
  );
}

export async function stopOpenBatches(action: DeviceActionInput, state: RolloutState): Promise<void> {
  await Promise.all(
    [...state.open.keys()].map((batchNumber) =>
      signalBatch(action, batchNumber, (handle) => handle.signal(stopDispatchSignal)),
    ),
  );
}

export async function cancelOpenBatches(action: DeviceActionInput, state: RolloutState): Promise<void> {
  await Promise.all(
    [...state.open.keys()].map((batchNumber) => signalBatch(action, batchNumber, (handle) => handle.cancel())),
  );
}

type BatchHandle = ReturnType<typeof getExternalWorkflowHandle>;

// A batch that already ended cannot hear it, which is fine: it has nothing left to do.
async function signalBatch(
  action: DeviceActionInput,
  batchNumber: number,
  send: (handle: BatchHandle) => Promise<void>,
): Promise<void> {
  try {
    await send(getExternalWorkflowHandle(batchWorkflowId(action.bulkResponseId, batchNumber)));
  } catch {
    return;
  }
}
