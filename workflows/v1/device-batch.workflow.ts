import {
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/create-activities';
import type { BatchDevice } from '../../activities/device-command.activities';
import type { DeviceAnswer, DeviceResult } from '../../contracts/bulk-action.types';
import type { BulkActionInput, BulkStatusView } from './legacy.types';
import { deviceActivityId } from '../../contracts/ids';
import { emptyCounts, pendingCount, type BulkCounts, type FinalDeviceStatus } from '../../contracts/statuses';
import { abortThresholdReached, deviceActivityOptions, type AbortBaseline } from './rollout-policy';
import { pauseSignal, resumeSignal } from '../definitions';
import { bulkStatusQuery } from './legacy-definitions';

export interface DeviceBatchInput {
  action: BulkActionInput;
  afterDeviceId: string | null;
  limit: number;
  paused: boolean;
  baseline: AbortBaseline;
}

export interface DeviceBatchResult {
  counts: Partial<BulkCounts>;
  lastDeviceId: string | null;
  deviceCount: number;
  aborted: boolean;
}

const resultFlushSize = 100;

const registry = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// One page of a device-facing action: eligibility, then one activity per device inside a window
// of `max_in_flight`, paced by `rate_per_minute`. Every device of the batch ends in a final state
// whatever happens (answer, timeout, abort, cancellation), and results reach the registry in batches.
export async function deviceBatchWorkflow(input: DeviceBatchInput): Promise<DeviceBatchResult> {
  const { action } = input;
  const command = action.command;
  if (!command) throw new Error('device batch without a resolved command');
  const rollout = action.request.rollout;
  const policy = deviceActivityOptions(rollout);
  const counts = emptyCounts();
  const finished = new Set<string>();
  const unflushed: DeviceResult[] = [];
  let paused = input.paused;
  let aborted = false;

  setHandler(pauseSignal, () => void (paused = true));
  setHandler(resumeSignal, () => void (paused = false));
  setHandler(bulkStatusQuery, (): BulkStatusView => ({
    status: paused ? 'paused' : 'processing',
    counts: { ...counts, pending: pendingCount(counts) },
    startedAt: null,
    currentBatchWorkflowId: null,
  }));

  const batch = await registry.prepareDeviceBatch({
    bulkResponseId: action.bulkResponseId,
    companyId: action.companyId,
    source: action.source,
    command,
    rollout,
    afterDeviceId: input.afterDeviceId,
    limit: input.limit,
  });
  counts.total = batch.deviceCount;
  counts.skipped = batch.skipped;

  const flush = async (minimum: number) => {
    if (unflushed.length < minimum || unflushed.length === 0) return;
    const results = unflushed.splice(0);
    await registry.recordBatchResults({
      bulkResponseId: action.bulkResponseId,
      companyId: action.companyId,
      results,
      ...(command.setting
        ? { appliedSetting: { settingId: command.setting.settingId, version: command.setting.version } }
        : {}),
    });
  };

  const settle = (device: BatchDevice, status: FinalDeviceStatus, attempts: number, message?: string) => {
    if (finished.has(device.deviceId)) return;
    finished.add(device.deviceId);
    counts[status] += 1;
    unflushed.push({
      deviceId: device.deviceId,
      uniqueId: device.uniqueId,
      status,
      attempts,
      ...(message ? { message } : {}),
    });
    if (status !== 'canceled' && abortThresholdReached(rollout, input.baseline, counts)) aborted = true;
  };

  const runDevice = async (device: BatchDevice) => {
    const waiting = device.online ? 'sent' : 'enqueued';
    counts[waiting] += 1;
    const deadline = new Date(Date.now() + policy.deviceTimeoutMilliseconds);
    const activities = proxyActivities<Activities>({
      ...policy.activityOptions,
      activityId: deviceActivityId(device.deviceId),
      summary: `${command.name} -> ${device.uniqueId}`,
    });
    try {
      const answer: DeviceAnswer = await activities.executeDeviceCommand({
        bulkResponseId: action.bulkResponseId,
        batchWorkflowId: workflowInfo().workflowId,
        companyId: action.companyId,
        device,
        command,
        expiresAt: deadline.toISOString(),
      });
      settle(device, answer.status, 1, answer.message);
    } catch (error) {
      settle(device, ...failureOf(error));
    } finally {
      counts[waiting] -= 1;
    }
  };

  // On abort nothing more is sent, and devices already commanded end with their real answer.
  const dispatch = async () => {
    const inFlight = new Set<Promise<void>>();
    for (const device of batch.devices) {
      await condition(() => aborted || (!paused && inFlight.size < policy.maxInFlight));
      if (aborted) break;
      const running: Promise<void> = runDevice(device).finally(() => inFlight.delete(running));
      inFlight.add(running);
      await flush(resultFlushSize);
      if (rollout?.rate_per_minute) await sleep(60_000 / rollout.rate_per_minute);
    }
    await condition(() => inFlight.size === 0);
  };

  try {
    await dispatch();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    await CancellationScope.nonCancellable(() => closeBatch(batch.devices, settle, flush));
    throw error;
  }
  await closeBatch(batch.devices, settle, flush);
  // The parent counted the total when the action started; a batch reports only device states.
  return { counts: { ...counts, total: 0 }, lastDeviceId: batch.lastDeviceId, deviceCount: batch.deviceCount, aborted };
}

// Devices never dispatched (abort, cancellation) end `canceled`; then every result is stored.
async function closeBatch(
  devices: BatchDevice[],
  settle: (device: BatchDevice, status: FinalDeviceStatus, attempts: number) => void,
  flush: (minimum: number) => Promise<void>,
): Promise<void> {
  for (const device of devices) settle(device, 'canceled', 0);
  await flush(0);
}

function failureOf(error: unknown): [FinalDeviceStatus, number, string?] {
  if (isCancellation(error)) return ['canceled', 1];
  if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure) {
    return ['timed_out', 1, 'the device did not answer before its deadline'];
  }
  const message = error instanceof ActivityFailure ? (error.cause?.message ?? error.message) : String(error);
  return ['fail', 1, message];
}
