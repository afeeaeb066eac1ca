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
import { isDeviceActionInput, type BulkActionInput, type StatusReason } from '../contracts/bulk-action.types';
import { freshRolloutState, RolloutModel, type RolloutState } from '../contracts/rollout-model';
import { planOf } from '../contracts/rollout-plan';
import type { BulkCounts, TerminalBulkStatus } from '../contracts/statuses';
import {
  cancelUpdate,
  devicesConnectedSignal,
  pauseUpdate,
  resumeUpdate,
  rolloutStatusQuery,
  rowsCountedSignal,
} from './definitions';
import { driveDevices, type DriveResult } from './device-rollout';
import { driveRegistry } from './registry-rollout';
import { registry } from './rollout-activities';
import { RolloutRecorder } from './rollout-record';

// A run hands over to a fresh one (continue-as-new) well before its history nears the limits.
const restAtHistoryLength = 8_000;

export interface RolloutCarry {
  state: RolloutState;
}

export interface RolloutOutcome {
  status: TerminalBulkStatus;
  counts: BulkCounts;
  statusReason: StatusReason | null;
}

// One bulk response, from start to its final state. The rollout model holds its truth; this
// drives the model: waits for start_at, counts the devices, runs the device or registry pass, follows
// the operators' steering and the Temporal UI's cancel, and stores the final state whatever happens.
// Nothing runs outside this execution: a Terminate leaves nothing that could still command a device.
export async function rolloutWorkflow(input: BulkActionInput, carried?: RolloutCarry): Promise<RolloutOutcome> {
  const plan = planOf(input.request.rollout);
  const model = new RolloutModel(plan, carried?.state ?? freshRolloutState(plan));
  const recorder = new RolloutRecorder(input, model);
  installHandlers(model, recorder);
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
    if (result !== 'rest' && isCancellation(error)) {
      await CancellationScope.nonCancellable(() =>
        end(input, model, recorder, result as { ended: TerminalBulkStatus }),
      );
      throw error;
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
function installHandlers(model: RolloutModel, recorder: RolloutRecorder): void {
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
  await recorder.saved();
  await recorder.announced();
  return continueAsNew<typeof rolloutWorkflow>(input, { state: model.snapshot() });
}

async function end(
  input: BulkActionInput,
  model: RolloutModel,
  recorder: RolloutRecorder,
  result: { ended: TerminalBulkStatus },
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
  await recorder.announced();
  const outcome = { status: result.ended, counts: model.counts, statusReason: kept ? statusReason : null };
  if (result.ended !== 'failed') return outcome;
  // The execution fails too, so the Temporal UI shows what the bulk response says.
  throw ApplicationFailure.nonRetryable(statusReason?.message ?? 'the rollout failed', 'RolloutFailed');
}
