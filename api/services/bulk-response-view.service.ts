import { WorkflowNotFoundError } from '@temporalio/client';
import type { RolloutView } from '../../contracts/bulk-action.types';
import { finalDeviceStatuses, isTerminalBulkStatus, type BulkCounts } from '../../contracts/statuses';
import { findBulkResponse, type BulkResponseRecord } from '../../registry/bulk-responses.repository';
import { rolloutStatusQuery } from '../../workflows/definitions';
import type { ApiDependencies } from '../dependencies';
import { NotFoundError } from '../errors';

// Reads never wait for the worker. GET, the list and event streams answer at once from the newest
// state this process knows: the stored record (the execution saves it every second) or the last
// answer to the workflow's query. A GET asks the workflow again in the background when that
// answer is older than this, one query per bulk response at a time, so polling clients cost the
// worker a bounded number of queries and a busy worker never makes a read slow.
const refreshAfterMilliseconds = 250;
const backgroundQueryBudgetMilliseconds = 2_000;
// After pause, resume or cancel, the 202 waits this long for the workflow to show the change.
const controlQueryBudgetMilliseconds = 2_000;
// A query answer this recent wins over a record with as many settled devices and another status: a
// record saved just after a pause may carry the state from just before it. Past it, the record
// (saved every second) is the newer of the two.
const answerPreferredMilliseconds = 2_000;
const rememberedViews = 10_000;

// The record as shown: while the execution runs, its newest known status, counts and waiting_for.
export type BulkResponseView = BulkResponseRecord;

// The newest query answer seen for each running bulk response in this process: a view never
// shows an older state than one this process already showed.
const lastLive = new Map<string, { view: RolloutView; at: number }>();
const inFlight = new Set<string>();
// The most settled view this process has shown for each running bulk response. The stored record
// can briefly go back (a delayed progress save landing after a newer one), so neither source alone
// is monotonic; a read never shows fewer settled devices than one already shown.
const highestShown = new Map<string, BulkResponseView>();

export async function findCompanyBulkResponse(dependencies: ApiDependencies, companyId: string, id: string) {
  const record = await findBulkResponse(dependencies.database, companyId, id);
  if (!record) throw new NotFoundError('Bulk response');
  return record;
}

export async function viewBulkResponse(
  dependencies: ApiDependencies,
  companyId: string,
  id: string,
): Promise<BulkResponseView> {
  const record = await findCompanyBulkResponse(dependencies, companyId, id);
  refreshInBackground(dependencies, record);
  return liveViewOf(record);
}

// After a control signal: the workflow's own answer, asked after the signal, so the 202 and every
// later read in this process show its effect.
export async function viewAfterControl(
  dependencies: ApiDependencies,
  companyId: string,
  id: string,
): Promise<BulkResponseView> {
  await queryLiveStatus(dependencies, id, controlQueryBudgetMilliseconds);
  return liveViewOf(await findCompanyBulkResponse(dependencies, companyId, id));
}

// The stored record, or the last query answer when it is newer, and never fewer settled devices
// than this process already showed. After the execution, the record.
export function liveViewOf(record: BulkResponseRecord): BulkResponseView {
  if (isTerminalBulkStatus(record.status)) {
    lastLive.delete(record._id);
    highestShown.delete(record._id);
    return record;
  }
  const view = newestViewOf(record);
  const highest = highestShown.get(record._id);
  if (highest && settledOf(highest.counts) > settledOf(view.counts)) return highest;
  highestShown.delete(record._id);
  highestShown.set(record._id, view);
  if (highestShown.size > rememberedViews) highestShown.delete(highestShown.keys().next().value!);
  return view;
}

function newestViewOf(record: BulkResponseRecord): BulkResponseView {
  const known = lastLive.get(record._id);
  if (!known || !isNewerThanRecord(known, record)) return record;
  const { view } = known;
  return {
    ...record,
    status: view.status,
    counts: view.counts,
    status_reason: view.statusReason,
    started_at: view.startedAt ?? record.started_at,
    waiting_for: view.waitingFor,
  };
}

function isNewerThanRecord(known: { view: RolloutView; at: number }, record: BulkResponseRecord): boolean {
  const answered = settledOf(known.view.counts);
  const stored = settledOf(record.counts);
  if (answered !== stored) return answered > stored;
  // Same progress and status: the answer also says what the rollout waits for.
  if (known.view.status === record.status) return true;
  return Date.now() - known.at < answerPreferredMilliseconds;
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

function refreshInBackground(dependencies: ApiDependencies, record: BulkResponseRecord): void {
  if (isTerminalBulkStatus(record.status) || inFlight.has(record._id)) return;
  const known = lastLive.get(record._id);
  if (known && Date.now() - known.at < refreshAfterMilliseconds) return;
  inFlight.add(record._id);
  void queryLiveStatus(dependencies, record._id, backgroundQueryBudgetMilliseconds).finally(() =>
    inFlight.delete(record._id),
  );
}

async function queryLiveStatus(dependencies: ApiDependencies, id: string, budgetMilliseconds: number): Promise<void> {
  try {
    const view = await dependencies.temporal.withAbortSignal(AbortSignal.timeout(budgetMilliseconds), () =>
      dependencies.temporal.workflow.getHandle(id).query(rolloutStatusQuery),
    );
    remember(id, view);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) {
      dependencies.logger.debug(
        { err: error, bulkResponseId: id },
        'live status unavailable, answering from the record',
      );
    }
  }
}
