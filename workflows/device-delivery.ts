import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  proxyActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { Activities } from '../activities/create-activities';
import type { BatchDevice, DeviceCommandInput } from '../activities/device-command.activities';
import type { DeviceActionInput, DeviceAnswer } from '../contracts/bulk-action.types';
import { deviceActivityId } from '../contracts/ids';
import { deviceDeadlineMillisecondsOf, sendWindowsOf } from '../contracts/rollout-rules';
import type { ResendSchedule } from './resend-schedule';

export interface DeliveryOutcome {
  status: 'success' | 'fail' | 'timed_out';
  sends: number;
  message?: string;
}

// Publishing is retried (a broker restart); silence is answered by re-sends; a device's own
// "fail" is final.
const publishRetry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' };

const resender = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { ...publishRetry, maximumAttempts: 3 },
});

type Settled = { answer: DeviceAnswer } | { error: unknown };

// One device's command from dispatch to its deadline. One activity waits for the answer the whole
// time (its id derives from the device, so the acknowledgement completes it whichever send the
// device answers) and publishes the first send; while it waits, the command is re-sent at the
// retry intervals (same execution id, so the device acts once) by the batch's `schedule`, or, in
// executions started before it existed, by a timer of the device's own. The deadline is the
// waiting activity's own timeout: retries never shorten it, and an answer before it always counts.
export async function deliverCommand(
  action: DeviceActionInput,
  batchWorkflowId: string,
  device: BatchDevice,
  dispatchedAt: number,
  // The end of the maintenance window the device is dispatched in: its deadline ends there.
  deadlineAt: number | null = null,
  schedule?: ResendSchedule,
): Promise<DeliveryOutcome> {
  const rollout = action.request.rollout;
  const fullDeadline = deviceDeadlineMillisecondsOf(rollout);
  const deadlineMilliseconds = deadlineAt === null ? fullDeadline : Math.min(fullDeadline, deadlineAt - dispatchedAt);
  const command: DeviceCommandInput = {
    bulkResponseId: action.bulkResponseId,
    batchWorkflowId,
    companyId: action.companyId,
    device,
    command: action.command,
    expiresAt: new Date(dispatchedAt + deadlineMilliseconds).toISOString(),
    attempt: 1,
  };
  const waiter = proxyActivities<Activities>({
    activityId: deviceActivityId(device.deviceId),
    scheduleToCloseTimeout: deadlineMilliseconds,
    startToCloseTimeout: deadlineMilliseconds,
    retry: publishRetry,
    summary: `${action.command.name} -> ${device.uniqueId}`,
  });
  let settled: Settled | undefined;
  void waiter.executeDeviceCommand(command).then(
    (answer) => void (settled = { answer }),
    (error: unknown) => void (settled = { error }),
  );
  const windows = sendWindowsOf(rollout, deadlineMilliseconds);
  if (schedule) {
    schedule.add(device.deviceId, command, windows, dispatchedAt);
    await condition(() => settled !== undefined);
    const sends = schedule.sendsOf(device.deviceId) ?? 1;
    schedule.remove(device.deviceId);
    return outcomeOf(settled!, sends);
  }
  let sends = 1;
  for (const window of windows.slice(0, -1)) {
    if (await condition(() => settled !== undefined, window)) break;
    sends += 1;
    await resend({ ...command, attempt: sends });
  }
  await condition(() => settled !== undefined);
  return outcomeOf(settled!, sends);
}

// The batch's one resend timer: sleeps until the earliest due send (waking early only if an
// earlier one is scheduled), sends everything due, and again, for as long as the batch lives.
export async function resendWhenDue(schedule: ResendSchedule): Promise<void> {
  try {
    for (;;) {
      await condition(() => schedule.pending);
      const target = schedule.earliest()!;
      await condition(() => (schedule.earliest() ?? Infinity) < target, Math.max(1, target - Date.now()));
      await Promise.all(schedule.takeDue(Date.now()).map(resend));
    }
  } catch (error) {
    // The batch was canceled: its devices are canceled with it, nothing more to send.
    if (!isCancellation(error)) throw error;
  }
}

// A re-send that cannot be published is one lost chance, not the device's result.
async function resend(command: DeviceCommandInput & { attempt: number }): Promise<void> {
  try {
    await resender.resendDeviceCommand(command);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
  }
}

function outcomeOf(settled: Settled, sends: number): DeliveryOutcome {
  if ('answer' in settled) {
    const { status, message } = settled.answer;
    return { status, sends, ...(message ? { message } : {}) };
  }
  if (ranOutOfTime(settled.error))
    return { status: 'timed_out', sends, message: 'the device did not answer before its deadline' };
  throw settled.error;
}

function ranOutOfTime(error: unknown): boolean {
  if (!(error instanceof ActivityFailure)) return false;
  return error.cause instanceof TimeoutFailure || error.retryState === RetryState.TIMEOUT;
}

// A send that failed for good (not silence, not cancellation): the reason, for the device's row.
export function deliveryFailureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}
