import { CompleteAsyncError } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities/create-activities';
import type { FinalizeInput, StartInput } from '../../activities/bulk-response.activities';
import type { DeviceCommandInput, PrepareBatchInput } from '../../activities/device-command.activities';
import type { RegistryPageInput } from '../../activities/registry-actions.activities';
import type { DeviceAnswer, DeviceResult } from '../../contracts/bulk-action.types';
import { deviceStatuses, emptyCounts, type BulkCounts, type BulkStatus } from '../../contracts/statuses';

// How a fake device answers each call: an answer, an error (retried), or never (async, so only
// the send window or the deadline ends it).
export type FakeBehaviour = (deviceIndex: number, call: number) => DeviceAnswer | 'error' | 'never';

export interface FakeOptions {
  pageDelayMilliseconds?: number;
  behaviour?: FakeBehaviour;
  answerDelayMilliseconds?: number;
  skipEvery?: number;
  // Devices whose index satisfies this are offline at dispatch (enqueued, outside the window).
  offline?: (deviceIndex: number) => boolean;
  failPrepare?: boolean;
  // How a re-sent command's answer reaches the waiting activity: by async completion, as the
  // worker's acknowledgement completer does (tests pass the test environment's client).
  completeWaiting?: (input: DeviceCommandInput, answer: DeviceAnswer) => Promise<void>;
  // A continuous rollout's fleet grows: how many devices join it just before its n-th check.
  joinOnCheck?: (check: number) => number;
}

// In-memory activities over a numbered device list, complete and typed, for workflow tests.
export function fakeActivities(deviceCount: number, options: FakeOptions = {}) {
  const deviceIds = Array.from({ length: deviceCount }, (_, index) => index.toString(16).padStart(24, '0'));
  const indexOf = new Map(deviceIds.map((id, index) => [id, index]));
  const applied = new Map<string, number>();
  const attempts = new Map<string, number[]>();
  const sends = new Map<string, number[]>();
  const results = new Map<string, DeviceResult>();
  const finalized: FinalizeInput[] = [];
  const progress: { status: BulkStatus; counts: BulkCounts }[] = [];
  const announced: string[] = [];
  let checks = 0;
  const actedOn = (id: string) => applied.has(id) || results.has(id) || attempts.has(id);
  const join = (count: number) => {
    for (let added = 0; added < count; added++) {
      const id = deviceIds.length.toString(16).padStart(24, '0');
      indexOf.set(id, deviceIds.length);
      deviceIds.push(id);
    }
  };
  const page = (afterDeviceId: string | null, limit: number, exclude = false) =>
    deviceIds.filter((id) => id > (afterDeviceId ?? '') && !(exclude && actedOn(id))).slice(0, limit);
  const isSkipped = (id: string) => Boolean(options.skipEvery && (indexOf.get(id) ?? 0) % options.skipEvery === 0);
  const isOnline = (id: string) => !options.offline?.(indexOf.get(id) ?? 0);
  const batchDevice = (id: string) => ({ deviceId: id, uniqueId: `SN-${id}`, online: isOnline(id) });

  // Every publish of a device's command, and the number of this call for the fake's behaviour.
  const recordCall = (id: string, send: number): number => {
    const tries = [...(attempts.get(id) ?? []), Date.now()];
    attempts.set(id, tries);
    sends.set(id, [...(sends.get(id) ?? []), send]);
    return tries.length;
  };
  const answerTo = (id: string, call: number) =>
    (options.behaviour ?? (() => ({ status: 'success' as const })))(indexOf.get(id) ?? -1, call);

  const prepareDeviceBatch = (input: PrepareBatchInput) => {
    if (options.failPrepare) throw ApplicationFailure.nonRetryable('registry schema mismatch', 'RegistryBroken');
    if (input.onlineOnly) {
      const devices = deviceIds.filter((id) => !isSkipped(id) && isOnline(id)).slice(0, input.limit);
      return Promise.resolve({
        devices: devices.map(batchDevice),
        skipped: 0,
        lastDeviceId: devices.at(-1) ?? null,
        deviceCount: devices.length,
      });
    }
    const devices = page(input.afterDeviceId, input.limit, input.excludeRecorded);
    const skipped = devices.filter(isSkipped);
    for (const id of skipped)
      results.set(id, { deviceId: id, uniqueId: `SN-${id}`, status: 'skipped', reason: 'inactive', attempts: 0 });
    return Promise.resolve({
      devices: devices.filter((id) => !skipped.includes(id)).map(batchDevice),
      skipped: skipped.length,
      newDevices: devices.length,
      lastDeviceId: devices.at(-1) ?? null,
      deviceCount: devices.length,
    });
  };

  const activities: Activities = {
    startBulkResponse: (_input: StartInput) => Promise.resolve(deviceCount),
    saveBulkProgress: (input) => {
      progress.push({ status: input.status, counts: input.counts });
      return Promise.resolve();
    },
    applyRegistryPage: async (input: RegistryPageInput) => {
      if (options.pageDelayMilliseconds)
        await new Promise((resolve) => setTimeout(resolve, options.pageDelayMilliseconds));
      const devices = page(input.afterDeviceId, input.limit, input.newcomers);
      for (const id of devices) applied.set(id, (applied.get(id) ?? 0) + 1);
      return {
        counts: { success: devices.length },
        lastDeviceId: devices.at(-1) ?? null,
        deviceCount: devices.length,
        ...(input.newcomers ? { newDevices: devices.length } : {}),
      };
    },
    countFleetNewcomers: () => {
      checks += 1;
      join(options.joinOnCheck?.(checks) ?? 0);
      return Promise.resolve(deviceIds.filter((id) => !actedOn(id)).length);
    },
    prepareDeviceBatch: (input: PrepareBatchInput) => Promise.resolve().then(() => prepareDeviceBatch(input)),
    executeDeviceCommand: async (input: DeviceCommandInput) => {
      const id = input.device.deviceId;
      const call = recordCall(id, input.attempt ?? 1);
      if (options.answerDelayMilliseconds)
        await new Promise((resolve) => setTimeout(resolve, options.answerDelayMilliseconds));
      const answer = answerTo(id, call);
      if (answer === 'never') throw new CompleteAsyncError();
      if (answer === 'error') throw ApplicationFailure.retryable('broker unavailable', 'PublishFailed');
      return answer;
    },
    resendDeviceCommand: async (input: DeviceCommandInput & { attempt: number }) => {
      const id = input.device.deviceId;
      const answer = answerTo(id, recordCall(id, input.attempt));
      if (answer === 'error') throw ApplicationFailure.retryable('broker unavailable', 'PublishFailed');
      if (answer !== 'never') await options.completeWaiting?.(input, answer);
    },
    recordBatchResults: (input: { results: DeviceResult[] }) => {
      for (const result of input.results) results.set(result.deviceId, result);
      return Promise.resolve();
    },
    finalizeBulkResponse: (input: FinalizeInput) => {
      finalized.push(input);
      const counts: BulkCounts = { ...emptyCounts(), total: deviceCount };
      if (results.size === 0) {
        counts.success = applied.size;
        counts.canceled = input.status === 'canceled' ? deviceCount - applied.size : 0;
        return Promise.resolve(counts);
      }
      for (const status of deviceStatuses)
        counts[status] = [...results.values()].filter((result) => result.status === status).length;
      if (input.status !== 'completed' && input.status !== 'completed_with_errors')
        counts.canceled += deviceCount - results.size;
      return Promise.resolve(counts);
    },
    reconcileBulkResponses: () => Promise.resolve({ checked: 0, ended: 0 }),
    enqueueBulkResponseEvent: (event) => {
      announced.push(event.event);
      return Promise.resolve();
    },
    deliverWebhookEvent: () => Promise.resolve('delivered' as const),
  };
  return {
    activities,
    applied,
    attempts,
    sends,
    results,
    finalized,
    progress,
    announced,
    deviceIds,
    checks: () => checks,
  };
}
