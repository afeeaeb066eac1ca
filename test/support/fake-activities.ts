import { CompleteAsyncError } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities/create-activities';
import type { FinalizeInput } from '../../activities/bulk-response.activities';
import type { DeviceCommandInput, PrepareBatchInput } from '../../activities/device-command.activities';
import type { RegistryPageInput } from '../../activities/registry-actions.activities';
import type { DeviceAnswer, DeviceResult } from '../../contracts/bulk-action.types';
import { deviceStatuses, emptyCounts, type BulkCounts } from '../../contracts/statuses';

// How a fake device answers each attempt: an answer, an error (retried), or never (async, so
// only the deadline ends it).
export type FakeBehaviour = (deviceIndex: number, attempt: number) => DeviceAnswer | 'error' | 'never';

export interface FakeOptions {
  pageDelayMilliseconds?: number;
  behaviour?: FakeBehaviour;
  answerDelayMilliseconds?: number;
  skipEvery?: number;
}

// In-memory activities over a numbered device list, complete and typed, for workflow tests.
export function fakeActivities(deviceCount: number, options: FakeOptions = {}) {
  const deviceIds = Array.from({ length: deviceCount }, (_, index) => index.toString(16).padStart(24, '0'));
  const indexOf = new Map(deviceIds.map((id, index) => [id, index]));
  const applied = new Map<string, number>();
  const attempts = new Map<string, number[]>();
  const results = new Map<string, DeviceResult>();
  const finalized: FinalizeInput[] = [];
  const page = (afterDeviceId: string | null, limit: number) =>
    deviceIds.filter((id) => id > (afterDeviceId ?? '')).slice(0, limit);

  const activities: Activities = {
    startBulkResponse: () => Promise.resolve(deviceCount),
    applyRegistryPage: async (input: RegistryPageInput) => {
      if (options.pageDelayMilliseconds)
        await new Promise((resolve) => setTimeout(resolve, options.pageDelayMilliseconds));
      const devices = page(input.afterDeviceId, input.limit);
      for (const id of devices) applied.set(id, (applied.get(id) ?? 0) + 1);
      return { counts: { success: devices.length }, lastDeviceId: devices.at(-1) ?? null, deviceCount: devices.length };
    },
    prepareDeviceBatch: (input: PrepareBatchInput) => {
      const devices = page(input.afterDeviceId, input.limit);
      const skipped = devices.filter((id) => options.skipEvery && (indexOf.get(id) ?? 0) % options.skipEvery === 0);
      for (const id of skipped)
        results.set(id, { deviceId: id, uniqueId: `SN-${id}`, status: 'skipped', reason: 'inactive', attempts: 0 });
      return Promise.resolve({
        devices: devices
          .filter((id) => !skipped.includes(id))
          .map((id) => ({ deviceId: id, uniqueId: `SN-${id}`, online: true })),
        skipped: skipped.length,
        lastDeviceId: devices.at(-1) ?? null,
        deviceCount: devices.length,
      });
    },
    executeDeviceCommand: async (input: DeviceCommandInput) => {
      const index = indexOf.get(input.device.deviceId) ?? -1;
      const tries = attempts.get(input.device.deviceId) ?? [];
      tries.push(Date.now());
      attempts.set(input.device.deviceId, tries);
      if (options.answerDelayMilliseconds)
        await new Promise((resolve) => setTimeout(resolve, options.answerDelayMilliseconds));
      const behaviour: FakeBehaviour = options.behaviour ?? (() => ({ status: 'success' }));
      const answer = behaviour(index, tries.length);
      if (answer === 'never') throw new CompleteAsyncError();
      if (answer === 'error') throw ApplicationFailure.retryable('broker unavailable', 'PublishFailed');
      return answer;
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
      if (input.status === 'canceled' || input.status === 'aborted') counts.canceled += deviceCount - results.size;
      return Promise.resolve(counts);
    },
  };
  return { activities, applied, attempts, results, finalized, deviceIds };
}
