import {
  ApplicationFailure,
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { isDeviceActionInput, type BulkActionInput, type StatusReason } from '../contracts/bulk-action.types';
import { batchSizeOf, finalStatusOf } from '../contracts/rollout-rules';
import type { BulkCounts, BulkStatus } from '../contracts/statuses';
import { isBulkResponseEventName } from '../contracts/webhook-events';
import { bulkResponseEventsPublished, publishBulkResponseEvent } from './bulk-response-events';
import { batchReportSignal, pauseSignal, resumeSignal, rolloutStatusQuery, searchAttributeKeys } from './definitions';
import { cancelOpenBatches, forwardPause, forwardWindow, runDevicePass } from './device-pass';
import { runRegistryPass } from './registry-pass';
import { freshCarry, RolloutState, type RolloutCarry } from './rollout-state';
import { registry } from './registry-activities';

// A run hands over to a fresh one (continue-as-new) well before its history nears the limits.
const restAtHistoryLength = 4_000;
// The stored record follows the live view at most this far behind, for lists and fallbacks.
const progressSaveIntervalMilliseconds = 1_000;

export interface RolloutOutcome {
  status: BulkStatus;
  counts: BulkCounts;
  statusReason: StatusReason | null;
}

// One bulk response, from start to its final state: waits for start_at, counts the devices,
// runs the registry pass or the device pass (canary gate, shared window, abort rule), follows
// pause/resume, cancellation and failures, and stores the final summary whatever happens.
export async function rolloutWorkflow(input: BulkActionInput, carried?: RolloutCarry): Promise<RolloutOutcome> {
  const state = new RolloutState(carried ?? freshCarry(), input.request.rollout);
  installHandlers(input, state);
  void CancellationScope.nonCancellable(() => keepStoredProgress(input, state));
  const outcome = await runToTheEnd(input, state, carried === undefined);
  if (outcome.status !== 'failed') return outcome;
  // The execution fails too, so the Temporal UI shows what the bulk response says.
  throw ApplicationFailure.nonRetryable(outcome.statusReason?.message ?? 'the rollout failed', 'RolloutFailed');
}

async function runToTheEnd(input: BulkActionInput, state: RolloutState, fresh: boolean): Promise<RolloutOutcome> {
  try {
    if (fresh) await begin(input, state);
    const shouldRest = () =>
      workflowInfo().historyLength > restAtHistoryLength || workflowInfo().continueAsNewSuggested;
    const pass = isDeviceActionInput(input)
      ? await runDevicePass(input, state, shouldRest, () => steer(input, state, true))
      : await runRegistryPass(input, state, shouldRest);
    if (pass === 'rest') return await rest(input, state);
    if (state.carry.failed) return await finish(input, state, 'failed');
    return await finish(input, state, state.carry.stopReason ? 'aborted' : finalStatusOf(state.counts()));
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => cancel(input, state));
      throw error;
    }
    state.carry.stopReason = {
      code: 'workflow_failed',
      message: error instanceof Error ? error.message : String(error),
    };
    return CancellationScope.nonCancellable(() => stopEverything(input, state, 'failed'));
  }
}

function installHandlers(input: BulkActionInput, state: RolloutState): void {
  setHandler(rolloutStatusQuery, () => state.view());
  setHandler(batchReportSignal, (report) => {
    state.applyReport(report, batchSizeOf(input.request.rollout));
    setCurrentDetails(state.details());
  });
  setHandler(pauseSignal, () => steer(input, state, true));
  setHandler(resumeSignal, () => steer(input, state, false));
  if (isDeviceActionInput(input)) void CancellationScope.nonCancellable(() => steerBatches(input, state));
}

// Pause and resume, from an operator or the canary gate: the batches and webhooks hear it.
function steer(input: BulkActionInput, state: RolloutState, paused: boolean): void {
  if (state.carry.paused === paused) return;
  state.carry.paused = paused;
  state.pauseDirty = true;
  state.progressDirty = true;
  publishStatus(state);
  void announce(input, paused ? 'paused' : 'resumed');
}

async function begin(input: BulkActionInput, state: RolloutState): Promise<void> {
  const startAt = input.request.rollout?.start_at;
  if (startAt && new Date(startAt).getTime() > Date.now()) {
    state.carry.startAt = startAt;
    setCurrentDetails(state.details());
    await sleep(new Date(startAt).getTime() - Date.now());
  }
  state.carry.total = await registry.startBulkResponse({
    bulkResponseId: input.bulkResponseId,
    companyId: input.companyId,
    source: input.source,
    record: {
      fleetId: input.fleetId,
      parentId: input.parentId,
      action: input.request.action,
      request: input.request,
      createdBy: input.createdBy,
    },
  });
  state.carry.startedAt = new Date(Date.now()).toISOString();
  setStatus(state, 'processing');
  await announce(input, 'started');
}

// Pause, resume and the window reach the dispatching batch; other batches only wait for answers.
async function steerBatches(input: BulkActionInput, state: RolloutState): Promise<void> {
  if (!isDeviceActionInput(input)) return;
  for (;;) {
    await condition(() => (state.windowDirty || state.pauseDirty) && state.carry.dispatching !== null);
    await forwardPause(input, state);
    await forwardWindow(input, state);
  }
}

async function keepStoredProgress(input: BulkActionInput, state: RolloutState): Promise<void> {
  for (;;) {
    await condition(() => state.progressDirty);
    await sleep(progressSaveIntervalMilliseconds);
    state.progressDirty = false;
    const view = state.view();
    if (view.status === 'pending') continue;
    await registry.saveBulkProgress({
      bulkResponseId: input.bulkResponseId,
      status: view.status,
      counts: view.counts,
      waitingFor: view.waitingFor,
    });
  }
}

async function rest(input: BulkActionInput, state: RolloutState): Promise<never> {
  await bulkResponseEventsPublished();
  return continueAsNew<typeof rolloutWorkflow>(input, state.toCarry());
}

async function cancel(input: BulkActionInput, state: RolloutState): Promise<void> {
  setStatus(state, 'canceling');
  await stopEverything(input, state, 'canceled');
}

async function stopEverything(input: BulkActionInput, state: RolloutState, status: BulkStatus) {
  if (isDeviceActionInput(input)) {
    await cancelOpenBatches(input, state);
    await condition(() => state.open.size === 0, '10 minutes');
  }
  return finish(input, state, status);
}

async function finish(input: BulkActionInput, state: RolloutState, status: BulkStatus): Promise<RolloutOutcome> {
  const statusReason = status === 'aborted' || status === 'failed' ? state.carry.stopReason : null;
  const counts = await registry.finalizeBulkResponse({
    bulkResponseId: input.bulkResponseId,
    companyId: input.companyId,
    source: input.source,
    status,
    action: input.request.action,
    afterDeviceId: null,
    total: state.carry.total,
    statusReason,
  });
  state.carry.closed = counts;
  state.open.clear();
  setStatus(state, status);
  await announce(input, status);
  return { status, counts, statusReason };
}

// Webhooks hear every transition, after the stored record shows it.
function announce(input: BulkActionInput, event: 'started' | 'paused' | 'resumed' | BulkStatus): Promise<void> {
  const name = `bulk_response.${event}`;
  if (!isBulkResponseEventName(name)) return Promise.resolve();
  return publishBulkResponseEvent({ bulkResponseId: input.bulkResponseId, companyId: input.companyId, event: name });
}

function setStatus(state: RolloutState, status: BulkStatus): void {
  state.carry.status = status;
  state.progressDirty = true;
  publishStatus(state);
}

// Only executions started with the status attribute carry it: the server registered it then.
function publishStatus(state: RolloutState): void {
  setCurrentDetails(state.details());
  if (workflowInfo().typedSearchAttributes.get(searchAttributeKeys.status) === undefined) return;
  upsertSearchAttributes([{ key: searchAttributeKeys.status, value: state.view().status }]);
}
