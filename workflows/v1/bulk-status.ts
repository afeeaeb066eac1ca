import type { BulkCounts, BulkStatus } from '../../contracts/statuses';

export function finalStatusOf(counts: BulkCounts): BulkStatus {
  return counts.fail + counts.timed_out > 0 ? 'completed_with_errors' : 'completed';
}
