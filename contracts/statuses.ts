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

export const terminalBulkStatuses: readonly BulkStatus[] = [
  'completed',
  'completed_with_errors',
  'aborted',
  'canceled',
  'failed',
];

export function isTerminalBulkStatus(status: BulkStatus): boolean {
  return terminalBulkStatuses.includes(status);
}

export const deviceStatuses = [
  'pending',
  'sent',
  'enqueued',
  'success',
  'fail',
  'timed_out',
  'skipped',
  'canceled',
] as const;
export type DeviceStatus = (typeof deviceStatuses)[number];

export const finalDeviceStatuses = ['success', 'fail', 'timed_out', 'skipped', 'canceled'] as const;
export type FinalDeviceStatus = (typeof finalDeviceStatuses)[number];

export const skipReasons = [
  'inactive',
  'gateway_command_not_supported',
  'command_not_for_device_type',
  'configuration_not_for_device_type',
  'send_config_not_supported',
  'already_applied',
  'offline',
] as const;
export type SkipReason = (typeof skipReasons)[number];

export type BulkCounts = Record<'total' | DeviceStatus, number>;

export function emptyCounts(): BulkCounts {
  return { total: 0, pending: 0, sent: 0, enqueued: 0, success: 0, fail: 0, timed_out: 0, skipped: 0, canceled: 0 };
}

export function addCounts(target: BulkCounts, delta: Partial<BulkCounts>): BulkCounts {
  for (const [key, value] of Object.entries(delta) as [keyof BulkCounts, number][]) target[key] += value;
  return target;
}

// Devices not yet in any other state; derived, never stored twice.
export function pendingCount(counts: BulkCounts): number {
  const accounted =
    counts.sent + counts.enqueued + counts.success + counts.fail + counts.timed_out + counts.skipped + counts.canceled;
  return Math.max(0, counts.total - accounted);
}
