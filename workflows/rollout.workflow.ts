import {
  ApplicationFailure,
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { isDeviceActionInput, type BulkActionInput } from '../contracts/bulk-action.types';
import { rolloutEndingFailureTypes, rolloutEndingMessage, type RolloutOutcome } from '../contracts/rollout-ending';
import { freshRolloutState, RolloutModel, type RolloutState } from '../contracts/rollout-model';
import { planOf } from '../contracts/rollout-plan';
import type { TerminalBulkStatus } from '../contracts/statuses';
import {
  approveUpdate,
  cancelUpdate,
  devicesConnectedSignal,
  rejectUpdate,
  pauseUpdate,
  resumeUpdate,
  rolloutStatusQuery,
  rowsCountedSignal,
  type ApprovalRequest,
} from './definitions';
import { driveDevices, type DriveResult } from './device-rollout';
import { driveRegistry } from './registry-rollout';
import { registry } from './rollout-activities';
import { RolloutRecorder } from './rollout-record';

// A run hands over to a fresh one (continue-as-new) well before its history nears the limits, and
// while a worker that lost its cache can still replay it within a workflow task (seconds).
const restAtHistoryLength = 4_000;

export interface RolloutCarry {
  state: RolloutState;
}

export type { RolloutOutcome } from '../contracts/rollout-ending';

// One bulk response, from start to its final state. The rollout model holds its truth; this
// drives the model: waits for start_at, counts the devices, runs the device or registry pass, follows
// the operators' steering and the Temporal UI's cancel, and stores the final state whatever happens.
// Nothing runs outside this execution: a Terminate leaves nothing that could still command a device.
export async function rolloutWorkflow(input: BulkActionInput, carried?: RolloutCarry): Promise<RolloutOutcome> {
  const plan = planOf(input.request.rollout);
  const model = new RolloutModel(plan, carried?.state ?? freshRolloutState(plan));
  const recorder = new RolloutRecorder(input, model);
  installHandlers(input, model, recorder);
  let result: DriveResult;
  try {
    if (!carried) await begin(input, model, recorder);
    result = await drive(input, model, recorder);
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    const reason = isCancellation(error)
      ? { code: 'canceled', message: 'canceled from the Temporal UI or CLI' }
      : { code: 'workflow_failed', message: error instanceof Error ? error.message : String(error) };
    model.halt(isCancellation(error) ? 'cancel' : 'fail', reason);
    result = await CancellationScope.nonCancellable(() => drive(input, model, recorder));
    // A cancellation is always an Error (CancelledFailure, or an activity failure it caused).
    if (result !== 'rest' && isCancellation(error) && error instanceof Error) {
      const ended = result;
      return CancellationScope.nonCancellable(() => end(input, model, recorder, ended, error));
    }
  }
  if (result === 'rest') return rest(input, model, recorder);
  return end(input, model, recorder, result);
}

function drive(input: BulkActionInput, model: RolloutModel, recorder: RolloutRecorder): Promise<DriveResult> {
  const shouldRest = () => workflowInfo().historyLength > restAtHistoryLength || workflowInfo().continueAsNewSuggested;
  return isDeviceActionInput(input)
    ? driveDevices(input, model, recorder, shouldRest)
    : driveRegistry(input, model, recorder, shouldRest);
}

// The operators' steering answers the state the workflow reached, once its record shows it.
function installHandlers(input: BulkActionInput, model: RolloutModel, recorder: RolloutRecorder): void {
  setHandler(rolloutStatusQuery, () => recorder.view());
  const steering = async (change: () => void) => {
    change();
    recorder.noteChanges();
    await recorder.saved();
    return recorder.view();
  };
  const running = () => {
    if (model.phase === 'ended' || model.stop)
      throw new Error(`the rollout already ${model.stop ? 'stopped' : 'ended'}`);
  };
  setHandler(pauseUpdate, () => steering(() => model.pause()), { validator: running });
  setHandler(resumeUpdate, () => steering(() => model.resume(Date.now())), { validator: running });
  setHandler(
    cancelUpdate,
    () => steering(() => model.halt('cancel', { code: 'canceled', message: 'canceled by an operator' })),
    { validator: running },
  );
  // Someone other than the creator, while the rollout waits for an approval.
  const approvable = (request: ApprovalRequest) => {
    running();
    if (!model.awaitingApproval) throw new Error('the rollout is not waiting for an approval');
    if (input.createdBy !== null && request.by.user_id === input.createdBy)
      throw new Error('the user who started the rollout cannot approve or reject it; another operator or admin must');
  };
  setHandler(approveUpdate, (request) => steering(() => model.approve(request.by, Date.now(), request.comment)), {
    validator: approvable,
  });
  setHandler(rejectUpdate, (request) => steering(() => model.reject(request.by, Date.now(), request.comment)), {
    validator: approvable,
  });
  setHandler(rowsCountedSignal, (snapshot) => model.counted(snapshot));
  setHandler(devicesConnectedSignal, () => model.devicesConnected());
}

async function begin(input: BulkActionInput, model: RolloutModel, recorder: RolloutRecorder): Promise<void> {
  const startAt = model.plan.startAt;
  if (startAt !== null && startAt > Date.now()) {
    recorder.noteChanges();
    await condition(() => model.stop !== null, startAt - Date.now());
    if (model.stop) return;
  }
  const begun = await registry.beginRollout({
    bulkResponseId: input.bulkResponseId,
    companyId: input.companyId,
    action: input.request.action,
    source: input.source,
    command: isDeviceActionInput(input) ? input.command : undefined,
    rollout: input.request.rollout,
    population: isDeviceActionInput(input) && model.plan.stages.length > 0,
  });
  model.started(Date.now(), begun.total, begun.population);
  recorder.noteChanges();
}

async function rest(input: BulkActionInput, model: RolloutModel, recorder: RolloutRecorder): Promise<never> {
  await recorder.settled();
  return continueAsNew<typeof rolloutWorkflow>(input, { state: model.snapshot() });
}

// The one place a rollout ends: the final state is stored and announced, then the execution ends
// the way the Temporal UI shows it (contracts/rollout-ending.ts): completed only for `completed`,
// Temporal's own cancellation for a cancel requested through Temporal, else a typed failure whose
// message is the status reason and whose details are the outcome.
async function end(
  input: BulkActionInput,
  model: RolloutModel,
  recorder: RolloutRecorder,
  result: { ended: TerminalBulkStatus },
  temporalCancellation?: Error,
): Promise<RolloutOutcome> {
  model.ended(result.ended);
  const statusReason = model.stop?.reason ?? null;
  const kept = result.ended === 'aborted' || result.ended === 'failed' || result.ended === 'canceled';
  const snapshot = await registry.finishRollout({
    bulkResponseId: input.bulkResponseId,
    action: input.request.action,
    status: result.ended,
    statusReason: kept ? statusReason : null,
    total: model.total,
    state: model.record(),
  });
  model.counted(snapshot);
  recorder.noteChanges();
  // The final status's announcement waits for no save (the end is stored): it goes before we return.
  await recorder.settled();
  const outcome: RolloutOutcome = {
    status: result.ended,
    counts: model.counts,
    statusReason: kept ? statusReason : null,
  };
  if (temporalCancellation !== undefined) throw temporalCancellation;
  if (outcome.status === 'completed') return outcome;
  throw ApplicationFailure.create({
    type: rolloutEndingFailureTypes[outcome.status],
    message: rolloutEndingMessage(outcome),
    nonRetryable: true,
    details: [outcome],
  });
}
