import type { BulkCounts, BulkStatus } from '../contracts/statuses';

// Devices not yet in any other state; derived, never stored twice.
export function pendingCount(counts: BulkCounts): number {
  const accounted =
    counts.sent + counts.enqueued + counts.success + counts.fail + counts.timed_out + counts.skipped + counts.canceled;
  return Math.max(0, counts.total - accounted);
}

export function finalStatusOf(counts: BulkCounts): BulkStatus {
  return counts.fail + counts.timed_out > 0 ? 'completed_with_errors' : 'completed';
}
