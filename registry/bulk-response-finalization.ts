import type { DeviceSource, StatusReason } from '../contracts/bulk-action.types';
import { deviceStatuses, emptyCounts, type BulkCounts, type BulkStatus } from '../contracts/statuses';
import { finishBulkResponse } from './bulk-responses.repository';
import type { Database } from './database';
import { devicePageSelect } from './device-page';
import {
  cancelUnansweredDevices,
  cancelUnsentDevices,
  cancelUnreachedDevices,
  countDeviceResults,
} from './device-results.repository';

const unbounded = 2_147_483_647;

export interface FinalizeInput {
  bulkResponseId: string;
  companyId: string;
  // Unknown only for an execution that never started (nothing was walked).
  source: DeviceSource | null;
  status: BulkStatus;
  // For metrics and logs only.
  action?: string;
  afterDeviceId: string | null;
  total: number;
  statusReason?: StatusReason | null;
}

// The stored summary, recounted from the per-device rows, the durable truth. A rollout that
// stopped early (aborted, canceled, failed) first records every device it never reached, and
// every device still waiting for an answer, as `canceled`: every device ends in a final state.
// Used by the execution when it ends and by the reconciler for executions that ended outside it.
export function finalizeBulkResponseRecord(database: Database, input: FinalizeInput): Promise<BulkCounts> {
  return database.transaction(async (transaction) => {
    if (input.status !== 'completed' && input.status !== 'completed_with_errors') {
      if (input.source) {
        const remaining = devicePageSelect(
          'd.id, d.unique_id',
          input.source,
          input.companyId,
          input.afterDeviceId,
          unbounded,
        );
        await cancelUnreachedDevices(transaction, input.bulkResponseId, remaining);
      }
      await cancelUnansweredDevices(transaction, input.bulkResponseId, `the rollout ended ${input.status} first`);
    } else {
      // A device a batch took but never sent to (its page was loaded again after a crash and the
      // device had gone offline for the canary) must not stay pending in a finished rollout.
      await cancelUnsentDevices(transaction, input.bulkResponseId);
    }
    const byStatus = await countDeviceResults(transaction, input.bulkResponseId);
    const counts = emptyCounts();
    for (const status of deviceStatuses) counts[status] = byStatus[status] ?? 0;
    const recorded = Object.values(byStatus).reduce((sum, count) => sum + count, 0);
    counts.total = input.source ? Math.max(input.total, recorded) : recorded;
    await finishBulkResponse(transaction, input.bulkResponseId, input.status, counts, input.statusReason ?? null);
    return counts;
  });
}
