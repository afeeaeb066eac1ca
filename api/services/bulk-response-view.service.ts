import { WorkflowNotFoundError } from '@temporalio/client';
import type { RolloutView } from '../../contracts/bulk-action.types';
import { finalDeviceStatuses, isTerminalBulkStatus, type BulkCounts } from '../../contracts/statuses';
import { findBulkResponse, type BulkResponseRecord } from '../../registry/bulk-responses.repository';
import { rolloutStatusQuery } from '../../workflows/definitions';
import type { ApiDependencies } from '../dependencies';
import { NotFoundError } from '../errors';

// A GET waits this long for the workflow's own answer; past it, the query is abandoned and the GET
// answers from the newest state it knows (the stored record, which the execution saves every
// second, or an earlier answer), so a busy worker never makes a GET slow.
const queryBudgetMilliseconds = 80;
// Queries are answered by the worker: however many clients poll, one query per bulk response at
// a time, and an answer this fresh is reused.
const answerReuseMilliseconds = 250;
const rememberedViews = 10_000;

export type BulkResponseView = BulkResponseRecord & { waiting_for?: string | null };

// The newest live answer seen for each running bulk response in this process: a view never shows
// an older state than one this process already knows.
const lastLive = new Map<string, { view: RolloutView; at: number }>();
const inFlight = new Map<string, Promise<RolloutView | undefined>>();

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
    lastLive.delete(record._id);
    return record;
  }
  const live = (await liveStatusOf(dependencies, record._id)) ?? lastLive.get(record._id)?.view;
  if (!live || settledOf(live.counts) < settledOf(record.counts)) return record;
  if (isTerminalBulkStatus(live.status)) return findCompanyBulkResponse(dependencies, record.company_id, record._id);
  return {
    ...record,
    status: live.status,
    counts: live.counts,
    status_reason: live.statusReason,
    started_at: live.startedAt ?? record.started_at,
    waiting_for: live.waitingFor,
  };
}

function settledOf(counts: BulkCounts): number {
  return finalDeviceStatuses.reduce((sum, status) => sum + counts[status], 0);
}

function remember(id: string, view: RolloutView): void {
  const known = lastLive.get(id);
  if (known && settledOf(known.view.counts) > settledOf(view.counts)) return;
  lastLive.delete(id);
  lastLive.set(id, { view, at: Date.now() });
  if (lastLive.size > rememberedViews) lastLive.delete(lastLive.keys().next().value!);
}

function liveStatusOf(dependencies: ApiDependencies, id: string): Promise<RolloutView | undefined> {
  const known = lastLive.get(id);
  if (known && Date.now() - known.at < answerReuseMilliseconds) return Promise.resolve(known.view);
  let pending = inFlight.get(id);
  if (!pending) {
    pending = queryLiveStatus(dependencies, id).finally(() => inFlight.delete(id));
    inFlight.set(id, pending);
  }
  return pending;
}

async function queryLiveStatus(dependencies: ApiDependencies, id: string): Promise<RolloutView | undefined> {
  try {
    const view = await dependencies.temporal.withAbortSignal(AbortSignal.timeout(queryBudgetMilliseconds), () =>
      dependencies.temporal.workflow.getHandle(id).query(rolloutStatusQuery),
    );
    remember(id, view);
    return view;
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
