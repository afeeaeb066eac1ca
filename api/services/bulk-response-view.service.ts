import { WorkflowNotFoundError } from '@temporalio/client';
import type { BulkStatusView } from '../../contracts/bulk-action.types';
import { deviceStatuses, isTerminalBulkStatus, pendingCount, type BulkCounts } from '../../contracts/statuses';
import { findBulkResponse, type BulkResponseRecord } from '../../registry/bulk-responses.repository';
import { bulkStatusQuery } from '../../workflows/definitions';
import type { ApiDependencies } from '../dependencies';
import { NotFoundError } from '../errors';

const queryDeadlineMilliseconds = 3000;

export async function findCompanyBulkResponse(dependencies: ApiDependencies, companyId: string, id: string) {
  const record = await findBulkResponse(dependencies.database, companyId, id);
  if (!record) throw new NotFoundError('Bulk response');
  return record;
}

// While the workflow lives, its query is the truth about status and counts; afterwards (or if
// the engine cannot answer in time) the stored record is, in the same shape.
export async function viewBulkResponse(
  dependencies: ApiDependencies,
  companyId: string,
  id: string,
): Promise<BulkResponseRecord> {
  const record = await findCompanyBulkResponse(dependencies, companyId, id);
  if (isTerminalBulkStatus(record.status)) return record;
  const live = await queryLiveStatus(dependencies, id);
  if (!live) return record;
  if (isTerminalBulkStatus(live.status)) return findCompanyBulkResponse(dependencies, companyId, id);
  const batch = live.currentBatchWorkflowId
    ? await queryLiveStatus(dependencies, live.currentBatchWorkflowId)
    : undefined;
  return {
    ...record,
    status: live.status,
    counts: withBatch(live.counts, batch?.counts),
    started_at: live.startedAt ?? record.started_at,
  };
}

// The parent counts finished batches; the running batch knows its own devices' states.
function withBatch(counts: BulkCounts, batch: BulkCounts | undefined): BulkCounts {
  if (!batch) return counts;
  const merged = { ...counts };
  for (const status of deviceStatuses) if (status !== 'pending') merged[status] += batch[status];
  merged.pending = pendingCount(merged);
  return merged;
}

async function queryLiveStatus(dependencies: ApiDependencies, id: string): Promise<BulkStatusView | undefined> {
  try {
    return await dependencies.temporal.withDeadline(Date.now() + queryDeadlineMilliseconds, () =>
      dependencies.temporal.workflow.getHandle(id).query(bulkStatusQuery),
    );
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) {
      dependencies.logger.warn(
        { err: error, bulkResponseId: id },
        'live status unavailable, answering from the record',
      );
    }
    return undefined;
  }
}
