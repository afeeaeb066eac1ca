import { WorkflowNotFoundError } from '@temporalio/client';
import type { RolloutView } from '../../contracts/bulk-action.types';
import { finalDeviceStatuses, isTerminalBulkStatus, type BulkCounts } from '../../contracts/statuses';
import { findBulkResponse, type BulkResponseRecord } from '../../registry/bulk-responses.repository';
import { rolloutStatusQuery } from '../../workflows/definitions';
import type { ApiDependencies } from '../dependencies';
import { NotFoundError } from '../errors';

// A query that cannot answer this fast is not worth waiting for: the stored record (saved by the
// execution every two seconds) or the last live answer is shown instead.
const queryDeadlineMilliseconds = 1000;
const rememberedViews = 10_000;

export type BulkResponseView = BulkResponseRecord & { waiting_for?: string | null };

// The newest live answer given for each running bulk response, so a query that fails never
// shows an older state than one already shown by this process.
const lastShown = new Map<string, BulkResponseView>();

export async function findCompanyBulkResponse(dependencies: ApiDependencies, companyId: string, id: string) {
  const record = await findBulkResponse(dependencies.database, companyId, id);
  if (!record) throw new NotFoundError('Bulk response');
  return record;
}

// While the execution runs, its query is the truth about status and counts; afterwards the stored
// record is, in the same shape. Either way the answer never goes backwards.
export async function viewBulkResponse(
  dependencies: ApiDependencies,
  companyId: string,
  id: string,
): Promise<BulkResponseView> {
  const record = await findCompanyBulkResponse(dependencies, companyId, id);
  return liveViewOf(dependencies, record);
}

export async function liveViewOf(dependencies: ApiDependencies, record: BulkResponseRecord): Promise<BulkResponseView> {
  if (isTerminalBulkStatus(record.status)) {
    lastShown.delete(record._id);
    return record;
  }
  const live = await queryLiveStatus(dependencies, record._id);
  if (!live) return newestOf(record, lastShown.get(record._id));
  if (isTerminalBulkStatus(live.status)) return findCompanyBulkResponse(dependencies, record.company_id, record._id);
  const view: BulkResponseView = {
    ...record,
    status: live.status,
    counts: live.counts,
    status_reason: live.statusReason,
    started_at: live.startedAt ?? record.started_at,
    waiting_for: live.waitingFor,
  };
  remember(view);
  return newestOf(view, lastShown.get(record._id));
}

function settledOf(counts: BulkCounts): number {
  return finalDeviceStatuses.reduce((sum, status) => sum + counts[status], 0);
}

function newestOf(candidate: BulkResponseView, shown: BulkResponseView | undefined): BulkResponseView {
  if (!shown || settledOf(shown.counts) <= settledOf(candidate.counts)) return candidate;
  return { ...candidate, status: shown.status, counts: shown.counts, waiting_for: shown.waiting_for ?? null };
}

function remember(view: BulkResponseView): void {
  const shown = lastShown.get(view._id);
  if (shown && settledOf(shown.counts) > settledOf(view.counts)) return;
  lastShown.delete(view._id);
  lastShown.set(view._id, view);
  if (lastShown.size > rememberedViews) lastShown.delete(lastShown.keys().next().value!);
}

async function queryLiveStatus(dependencies: ApiDependencies, id: string): Promise<RolloutView | undefined> {
  try {
    return await dependencies.temporal.withDeadline(Date.now() + queryDeadlineMilliseconds, () =>
      dependencies.temporal.workflow.getHandle(id).query(rolloutStatusQuery),
    );
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) {
      dependencies.logger.debug(
        { err: error, bulkResponseId: id },
        'live status unavailable, answering from the record',
      );
    }
    return undefined;
  }
}
