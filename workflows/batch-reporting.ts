import { condition, getExternalWorkflowHandle, isCancellation } from '@temporalio/workflow';
import type { DeviceActionInput } from '../contracts/bulk-action.types';
import type { BatchState } from './batch-state';
import { batchReportSignal } from './definitions';
import { registry } from './registry-activities';

// Progress the rollout can show within a second, in a few signals per batch rather than one per device.
const reportIntervalMilliseconds = 250;
// Per-device results readable within two seconds of the answer, in a few statements per batch.
const flushSize = 100;
const flushIntervalMilliseconds = 1000;

// Tells the rollout what the batch holds until the batch is done; the last report says `done`.
export async function reportUntilDone(rolloutWorkflowId: string, batch: BatchState): Promise<void> {
  const rollout = getExternalWorkflowHandle(rolloutWorkflowId);
  for (;;) {
    await condition(() => batch.dirty);
    if (!batch.urgent) await condition(() => batch.urgent, reportIntervalMilliseconds);
    batch.dirty = false;
    batch.urgent = false;
    const report = batch.report();
    try {
      await rollout.signal(batchReportSignal, report);
    } catch (error) {
      // A rollout that already ended (terminated by an operator) cannot hear it; nothing to tell.
      if (isCancellation(error)) throw error;
    }
    if (report.done) return;
  }
}

// Writes settled devices to the registry in groups, soon after they settle. A registry that stays
// down past the bounded retries fails the batch (the rollout then ends `failed`), never hangs it.
export async function flushUntilDone(action: DeviceActionInput, batch: BatchState): Promise<void> {
  for (;;) {
    await condition(() => batch.unflushed.length > 0 || batch.allSettled);
    if (batch.unflushed.length === 0) return;
    if (!batch.allSettled)
      await condition(() => batch.unflushed.length >= flushSize || batch.allSettled, flushIntervalMilliseconds);
    try {
      await flush(action, batch);
    } catch (error) {
      batch.failure ??= `results could not be stored: ${error instanceof Error ? error.message : String(error)}`;
      batch.stopped = true;
      return;
    }
  }
}

async function flush(action: DeviceActionInput, batch: BatchState): Promise<void> {
  const results = batch.unflushed.splice(0);
  if (results.length === 0) return;
  const setting = action.command.setting;
  await registry.recordBatchResults({
    bulkResponseId: action.bulkResponseId,
    companyId: action.companyId,
    results,
    action: action.request.action,
    ...(setting ? { appliedSetting: { settingId: setting.settingId, version: setting.version } } : {}),
  });
}
