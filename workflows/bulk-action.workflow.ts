import {
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { BulkActionInput, BulkActionProgress, BulkStatusView, PageResult } from '../contracts/bulk-action.types';
import { addCounts, emptyCounts, type BulkCounts, type BulkStatus } from '../contracts/statuses';
import { bulkStatusQuery, pauseSignal, resumeSignal, searchAttributeKeys } from './definitions';
import { finalStatusOf, pendingCount } from './bulk-status';

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

// One bulk response: walks the devices page by page, keeps live counts for the status query,
// honours pause/resume and cancellation, and stores the final summary whatever happens.
export async function bulkActionWorkflow(
  input: BulkActionInput,
  carried?: BulkActionProgress,
): Promise<BulkActionOutcome> {
  const progress: BulkActionProgress = carried ?? { afterDeviceId: null, batchNumber: 0, counts: emptyCounts(), startedAt: null };
  let status: BulkStatus = carried ? 'processing' : 'pending';
  let paused = false;

  setHandler(bulkStatusQuery, (): BulkStatusView => ({
    status: paused && status === 'processing' ? 'paused' : status,
    counts: { ...progress.counts, pending: pendingCount(progress.counts) },
    startedAt: progress.startedAt,
    currentBatchWorkflowId: null,
  }));
  setHandler(pauseSignal, () => {
    paused = true;
    publishStatus('paused');
  });
  setHandler(resumeSignal, () => {
    paused = false;
    publishStatus('processing');
  });

  try {
    if (!carried) {
      progress.counts.total = await registry.startBulkResponse(input);
      progress.startedAt = new Date(Date.now()).toISOString();
      status = 'processing';
      publishStatus(status);
    }
    for (let pagesThisRun = 0; ; pagesThisRun++) {
      await condition(() => !paused);
      const page = await runPage(input, progress);
      addCounts(progress.counts, page.counts);
      progress.batchNumber += 1;
      setCurrentDetails(progressDetails(progress.counts));
      if (page.deviceCount === 0 || page.lastDeviceId === null) break;
      progress.afterDeviceId = page.lastDeviceId;
      if (pagesThisRun + 1 >= pagesPerRun || workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        return await continueAsNew<typeof bulkActionWorkflow>(input, progress);
      }
    }
    return await finish(input, progress, finalStatusOf(progress.counts));
  } catch (error) {
    if (!isCancellation(error)) throw error;
    status = 'canceling';
    publishStatus(status);
    await CancellationScope.nonCancellable(() => finish(input, progress, 'canceled'));
    throw error;
  }
}

async function runPage(input: BulkActionInput, progress: BulkActionProgress): Promise<PageResult> {
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
  throw new Error(`action ${request.action} is not supported yet`);
}

async function finish(input: BulkActionInput, progress: BulkActionProgress, status: BulkStatus): Promise<BulkActionOutcome> {
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

// Only executions started with the status attribute carry it: the server registered it then.
function publishStatus(status: BulkStatus): void {
  if (workflowInfo().typedSearchAttributes.get(searchAttributeKeys.status) === undefined) return;
  upsertSearchAttributes([{ key: searchAttributeKeys.status, value: status }]);
}

function progressDetails(counts: BulkCounts): string {
  const finished = counts.success + counts.fail + counts.timed_out + counts.skipped + counts.canceled;
  return `${finished}/${counts.total} devices finished: ${counts.success} success, ${counts.fail} fail, ${counts.timed_out} timed out, ${counts.skipped} skipped, ${counts.canceled} canceled`;
}
