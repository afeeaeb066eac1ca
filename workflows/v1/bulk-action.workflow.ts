import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/create-activities';
import type { PageResult } from '../../contracts/bulk-action.types';
import type { BulkActionInput, BulkActionProgress, BulkStatusView } from './legacy.types';
import { batchWorkflowId } from '../../contracts/ids';
import { addCounts, emptyCounts, pendingCount, type BulkCounts, type BulkStatus } from '../../contracts/statuses';
import { finalStatusOf } from './bulk-status';
import { pauseSignal, resumeSignal, searchAttributeKeys } from '../definitions';
import { bulkStatusQuery } from './legacy-definitions';
import { deviceBatchWorkflow } from './device-batch.workflow';
import { abortBaselineOf, batchSizeOf, canaryPassed, canarySizeOf } from './rollout-policy';

const registryPageSize = 500;
// Keeps each run's history small and far below the server's limits whatever the fleet size.
const pagesPerRun = 50;

const registry = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface BulkActionOutcome {
  status: BulkStatus;
  counts: BulkCounts;
}

interface RunState {
  status: BulkStatus;
  paused: boolean;
  currentBatch: string | null;
}

// One bulk response: walks the devices page by page (registry pages in one statement, device
// pages as batch child workflows), keeps live counts for the status query, honours start_at,
// canary, abort, pause/resume and cancellation, and stores the final summary whatever happens.
export async function bulkActionWorkflow(
  input: BulkActionInput,
  carried?: BulkActionProgress,
): Promise<BulkActionOutcome> {
  const progress: BulkActionProgress = carried ?? {
    afterDeviceId: null,
    batchNumber: 0,
    counts: emptyCounts(),
    startedAt: null,
    canaryRemaining: null,
  };
  const state: RunState = {
    status: carried ? 'processing' : 'pending',
    paused: carried?.paused ?? false,
    currentBatch: null,
  };
  installHandlers(state, progress);
  try {
    if (!carried) await begin(input, progress, state);
    for (let pagesThisRun = 0; ; pagesThisRun++) {
      await condition(() => !state.paused);
      const page = await runPage(input, progress, state);
      addCounts(progress.counts, page.counts);
      progress.batchNumber += 1;
      setCurrentDetails(progressDetails(progress.counts));
      if (page.aborted) return await finish(input, progress, 'aborted');
      if (page.deviceCount === 0 || page.lastDeviceId === null) break;
      progress.afterDeviceId = page.lastDeviceId;
      if (!passCanaryGate(input, progress, state)) return await finish(input, progress, 'aborted');
      if (pagesThisRun + 1 >= pagesPerRun || workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        return await continueAsNew<typeof bulkActionWorkflow>(input, { ...progress, paused: state.paused });
      }
    }
    return await finish(input, progress, finalStatusOf(progress.counts));
  } catch (error) {
    if (!isCancellation(error)) throw error;
    setStatus(state, 'canceling');
    await CancellationScope.nonCancellable(() => finish(input, progress, 'canceled'));
    throw error;
  }
}

function installHandlers(state: RunState, progress: BulkActionProgress): void {
  setHandler(bulkStatusQuery, (): BulkStatusView => ({
    status: state.paused && state.status === 'processing' ? 'paused' : state.status,
    counts: { ...progress.counts, pending: pendingCount(progress.counts) },
    startedAt: progress.startedAt,
    currentBatchWorkflowId: state.currentBatch,
  }));
  const steer = (paused: boolean) => async () => {
    state.paused = paused;
    publishStatus(paused ? 'paused' : state.status);
    if (state.currentBatch) await forward(state.currentBatch, paused);
  };
  setHandler(pauseSignal, steer(true));
  setHandler(resumeSignal, steer(false));
}

// A batch that already ended cannot take the signal; the next batch starts with the state anyway.
async function forward(batchId: string, paused: boolean): Promise<void> {
  try {
    await getExternalWorkflowHandle(batchId).signal(paused ? pauseSignal : resumeSignal);
  } catch {
    return;
  }
}

async function begin(input: BulkActionInput, progress: BulkActionProgress, state: RunState): Promise<void> {
  const startAt = input.request.rollout?.start_at;
  if (startAt) {
    const wait = new Date(startAt).getTime() - Date.now();
    if (wait > 0) await sleep(wait);
  }
  progress.counts.total = await registry.startBulkResponse(input);
  progress.startedAt = new Date(Date.now()).toISOString();
  progress.canaryRemaining = input.command ? canarySizeOf(input.request.rollout, progress.counts.total) || null : null;
  setStatus(state, 'processing');
}

async function runPage(
  input: BulkActionInput,
  progress: BulkActionProgress,
  state: RunState,
): Promise<PageResult & { aborted?: boolean }> {
  const request = input.request;
  if (request.action === 'add_tags' || request.action === 'add_metadata' || request.action === 'update_heartbeat') {
    return registry.applyRegistryPage({
      bulkResponseId: input.bulkResponseId,
      companyId: input.companyId,
      source: input.source,
      request,
      afterDeviceId: progress.afterDeviceId,
      limit: registryPageSize,
    });
  }
  const batchSize = batchSizeOf(request.rollout);
  const limit = progress.canaryRemaining ? Math.min(batchSize, progress.canaryRemaining) : batchSize;
  state.currentBatch = batchWorkflowId(input.bulkResponseId, progress.batchNumber);
  try {
    return await executeChild(deviceBatchWorkflow, {
      workflowId: state.currentBatch,
      args: [
        {
          action: input,
          afterDeviceId: progress.afterDeviceId,
          limit,
          paused: state.paused,
          baseline: abortBaselineOf(progress.counts),
        },
      ],
      staticSummary: `batch ${progress.batchNumber} of bulk response ${input.bulkResponseId}`,
    });
  } finally {
    state.currentBatch = null;
  }
}

// After the canary's devices: abort below the success rate, else pause or go on as asked.
function passCanaryGate(input: BulkActionInput, progress: BulkActionProgress, state: RunState): boolean {
  if (progress.canaryRemaining === null) return true;
  progress.canaryRemaining = Math.max(0, progress.canaryRemaining - batchSizeOf(input.request.rollout));
  if (progress.canaryRemaining > 0) return true;
  progress.canaryRemaining = null;
  if (!canaryPassed(input.request.rollout, progress.counts)) return false;
  if (input.request.rollout?.canary?.then === 'pause') {
    state.paused = true;
    publishStatus('paused');
  }
  return true;
}

async function finish(
  input: BulkActionInput,
  progress: BulkActionProgress,
  status: BulkStatus,
): Promise<BulkActionOutcome> {
  const counts = await registry.finalizeBulkResponse({
    bulkResponseId: input.bulkResponseId,
    companyId: input.companyId,
    source: input.source,
    status,
    afterDeviceId: progress.afterDeviceId,
    total: progress.counts.total,
  });
  progress.counts = counts;
  publishStatus(status);
  setCurrentDetails(progressDetails(counts));
  return { status, counts };
}

function setStatus(state: RunState, status: BulkStatus): void {
  state.status = status;
  publishStatus(status);
}

// Only executions started with the status attribute carry it: the server registered it then.
function publishStatus(status: BulkStatus): void {
  if (workflowInfo().typedSearchAttributes.get(searchAttributeKeys.status) === undefined) return;
  upsertSearchAttributes([{ key: searchAttributeKeys.status, value: status }]);
}

function progressDetails(counts: BulkCounts): string {
  const finished = counts.success + counts.fail + counts.timed_out + counts.skipped + counts.canceled;
  return `${finished}/${counts.total} devices finished: ${counts.success} success, ${counts.fail} fail, ${counts.timed_out} timed out, ${counts.skipped} skipped, ${counts.canceled} canceled`;
}
