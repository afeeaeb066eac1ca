import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { BatchDevice } from '../activities/device-command.activities';
import type { DeviceActionInput } from '../contracts/bulk-action.types';
import { dispatchStateAt } from '../contracts/maintenance-windows';
import { deviceDeadlineMillisecondsOf, maxInFlightOf, rolloutLimits } from '../contracts/rollout-rules';
import { flushUntilDone, reportUntilDone } from './batch-reporting';
import { BatchState } from './batch-state';
import { batchWindowSignal, pauseSignal, resumeSignal, stopDispatchSignal, type BatchWindow } from './definitions';
import { deliverCommand, deliveryFailureMessage, resendWhenDue } from './device-delivery';
import { ResendSchedule } from './resend-schedule';
import { registry } from './registry-activities';

export interface RolloutBatchInput {
  action: DeviceActionInput;
  batchNumber: number;
  rolloutWorkflowId: string;
  afterDeviceId: string | null;
  limit: number;
  // The canary batch takes only devices online now, and as many as the canary's size.
  canary: boolean;
  paused: boolean;
  others: BatchWindow;
  // A continuous rollout's sweep: devices that came to match the fleet since the last one.
  sweep?: boolean;
}

// Batches started before one timer served all their resends keep a timer per device on replay.
const oneResendTimerPatch = 'one-resend-timer-per-batch';

// One page of a device action: loads and checks its devices, dispatches them inside the rollout's
// shared window, reports to the rollout while devices answer, and ends when every device of the
// page is settled. The rollout starts the next batch as soon as this one has dispatched, so no
// device waits for the slowest device of an earlier page.
export async function rolloutBatchWorkflow(input: RolloutBatchInput): Promise<void> {
  const batch = new BatchState(input.batchNumber, { paused: input.paused, others: input.others });
  setHandler(pauseSignal, () => void (batch.paused = true));
  setHandler(resumeSignal, () => void (batch.paused = false));
  setHandler(stopDispatchSignal, () => void (batch.stopped = true));
  setHandler(batchWindowSignal, (others) => void (batch.others = others));
  // Reporting and storing results outlive a cancellation: they are how the batch ends cleanly.
  const reporting = CancellationScope.nonCancellable(() => reportUntilDone(input.rolloutWorkflowId, batch));
  const flushing = CancellationScope.nonCancellable(() => flushUntilDone(input.action, batch));
  const schedule = patched(oneResendTimerPatch) ? new ResendSchedule() : undefined;
  if (schedule) void resendWhenDue(schedule);
  let devices: BatchDevice[] = [];
  try {
    const prepared = await registry.prepareDeviceBatch({
      bulkResponseId: input.action.bulkResponseId,
      companyId: input.action.companyId,
      source: input.action.source,
      command: input.action.command,
      rollout: input.action.request.rollout,
      afterDeviceId: input.afterDeviceId,
      limit: input.limit,
      excludeRecorded: true,
      onlineOnly: input.canary,
      claimFor: workflowInfo().workflowId,
      ...(input.sweep ? { newcomers: true } : {}),
    });
    devices = prepared.devices;
    batch.loaded(prepared, input.sweep === true);
    await dispatch(input, batch, devices, schedule);
    await condition(() => batch.inFlight === 0);
  } catch (error) {
    if (!isCancellation(error)) batch.failure = deliveryFailureMessage(error);
    await CancellationScope.nonCancellable(() => close(input, batch, devices, reporting, flushing));
    if (isCancellation(error)) throw error;
    throw ApplicationFailure.nonRetryable(`batch ${input.batchNumber} failed: ${batch.failure}`, 'BatchFailed');
  }
  await close(input, batch, devices, reporting, flushing);
}

async function dispatch(
  input: RolloutBatchInput,
  batch: BatchState,
  devices: BatchDevice[],
  schedule: ResendSchedule | undefined,
): Promise<void> {
  const rollout = input.action.request.rollout;
  const maxInFlight = maxInFlightOf(rollout);
  for (let next = 0; next < devices.length;) {
    const device = devices[next]!;
    await condition(
      () => batch.stopped || (!batch.paused && batch.hasRoom(device, maxInFlight, rolloutLimits.maxEnqueued)),
    );
    if (batch.stopped || batch.abortReached(rollout)) break;
    const gate = dispatchStateAt(rollout?.windows, Date.now(), deviceDeadlineMillisecondsOf(rollout));
    if (!gate.dispatch) {
      await waitForWindow(batch, gate.until);
      continue;
    }
    void runDevice(input, batch, device, gate.deadlineAt, schedule);
    next += 1;
    if (rollout?.rate_per_minute) await sleep(60_000 / rollout.rate_per_minute);
  }
  batch.dispatched = true;
  batch.markUrgent();
}

// Outside every maintenance window: a durable timer until the next one opens (a stop ends it).
async function waitForWindow(batch: BatchState, until: number): Promise<void> {
  batch.waitingUntil = until;
  batch.markUrgent();
  await condition(() => batch.stopped, Math.max(1, until - Date.now()));
  batch.waitingUntil = null;
  batch.markUrgent();
}

async function runDevice(
  input: RolloutBatchInput,
  batch: BatchState,
  device: BatchDevice,
  deadlineAt: number | null,
  schedule: ResendSchedule | undefined,
): Promise<void> {
  batch.sent(device);
  try {
    const dispatchedAt = Date.now();
    const batchId = workflowInfo().workflowId;
    const outcome = await deliverCommand(input.action, batchId, device, dispatchedAt, deadlineAt, schedule);
    const answerSeconds = outcome.status === 'timed_out' ? undefined : (Date.now() - dispatchedAt) / 1000;
    batch.settle(device, outcome.status, outcome.sends, outcome.message, answerSeconds);
  } catch (error) {
    if (isCancellation(error)) batch.settle(device, 'canceled', 1, 'canceled before the device answered');
    else batch.settle(device, 'fail', 1, deliveryFailureMessage(error));
  } finally {
    batch.answered(device);
  }
}

// Devices never dispatched (abort, cancellation, failure) end `canceled`; then every result is
// stored and the rollout hears the batch is done.
async function close(
  input: RolloutBatchInput,
  batch: BatchState,
  devices: BatchDevice[],
  reporting: Promise<void>,
  flushing: Promise<void>,
): Promise<void> {
  await condition(() => batch.inFlight === 0);
  for (const device of devices) batch.settle(device, 'canceled', 0, 'not sent: the rollout stopped first');
  batch.allSettled = true;
  // Only once every result is stored may the rollout hear `done`: it then counts the stored rows.
  await flushing;
  batch.done = true;
  batch.markUrgent();
  await reporting;
}
