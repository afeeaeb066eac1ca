// Zero-import: shared by workflows, activities and the API.

export const bulkStatuses = [
  'pending',
  'processing',
  'paused',
  'canceling',
  'completed',
  'completed_with_errors',
  'aborted',
  'canceled',
  'failed',
] as const;
export type BulkStatus = (typeof bulkStatuses)[number];

export const terminalBulkStatuses = ['completed', 'completed_with_errors', 'aborted', 'canceled', 'failed'] as const;
export type TerminalBulkStatus = (typeof terminalBulkStatuses)[number];

export function isTerminalBulkStatus(status: BulkStatus): status is TerminalBulkStatus {
  return (terminalBulkStatuses as readonly BulkStatus[]).includes(status);
}

// A device's row moves forward only: from nothing or `enqueued` to `sent`, to `in_progress`, to a
// final status, which it keeps (counts are the rows, so they only move forward too).
export const deviceStatuses = [
  'pending',
  'sent',
  'enqueued',
  'in_progress',
  'success',
  'fail',
  'unhealthy',
  'timed_out',
  'skipped',
  'canceled',
] as const;
export type DeviceStatus = (typeof deviceStatuses)[number];

export const finalDeviceStatuses = ['success', 'fail', 'unhealthy', 'timed_out', 'skipped', 'canceled'] as const;
export type FinalDeviceStatus = (typeof finalDeviceStatuses)[number];

// Commanded and not yet final: the device has the command (or will when it connects).
export const waitingDeviceStatuses = ['sent', 'enqueued', 'in_progress'] as const;

export function isFinalDeviceStatus(status: DeviceStatus): status is FinalDeviceStatus {
  return (finalDeviceStatuses as readonly DeviceStatus[]).includes(status);
}

export const skipReasons = [
  'inactive',
  'gateway_command_not_supported',
  'command_not_for_device_type',
  'configuration_not_for_device_type',
  'send_config_not_supported',
  'already_applied',
  'offline',
  // A rollback of send_configuration: the device applied no version of the setting before.
  'no_previous_version',
] as const;
export type SkipReason = (typeof skipReasons)[number];

export type BulkCounts = Record<'total' | DeviceStatus, number>;

export function emptyCounts(): BulkCounts {
  return {
    total: 0,
    pending: 0,
    sent: 0,
    enqueued: 0,
    in_progress: 0,
    success: 0,
    fail: 0,
    unhealthy: 0,
    timed_out: 0,
    skipped: 0,
    canceled: 0,
  };
}

export function addCounts(target: BulkCounts, delta: Partial<BulkCounts>): BulkCounts {
  for (const [key, value] of Object.entries(delta) as [keyof BulkCounts, number][]) target[key] += value;
  return target;
}

// Devices with a row, whatever its status.
export function recordedCount(counts: BulkCounts): number {
  return deviceStatuses.reduce((sum, status) => (status === 'pending' ? sum : sum + counts[status]), 0);
}

export function settledCount(counts: BulkCounts): number {
  return finalDeviceStatuses.reduce((sum, status) => sum + counts[status], 0);
}

// Devices not yet reached: the rollout walks `total` devices and every reached one has a row.
export function withPending(counts: BulkCounts): BulkCounts {
  return { ...counts, pending: Math.max(0, counts.total - recordedCount(counts)) };
}
