import type { DeviceSource } from '../contracts/bulk-action.types';
import { deviceStatuses, emptyCounts, type BulkCounts, type BulkStatus } from '../contracts/statuses';
import { markBulkResponseStarted, updateBulkResponseStatus } from '../registry/bulk-responses.repository';
import type { Database } from '../registry/database';
import { deviceCountSelect, devicePageSelect } from '../registry/device-page';
import { cancelUnreachedDevices, countDeviceResults } from '../registry/device-results.repository';

const unbounded = 2_147_483_647;

export interface FinalizeInput {
  bulkResponseId: string;
  companyId: string;
  source: DeviceSource;
  status: BulkStatus;
  afterDeviceId: string | null;
  total: number;
}

export function createBulkResponseActivities({ database }: { database: Database }) {
  return {
    // Counts the devices the execution will walk and marks the stored record as processing.
    async startBulkResponse(input: {
      bulkResponseId: string;
      companyId: string;
      source: DeviceSource;
    }): Promise<number> {
      const count = deviceCountSelect(input.source, input.companyId);
      const [row] = await database.query<{ total: number }>(count.sql, count.params);
      const counts: BulkCounts = { ...emptyCounts(), total: row?.total ?? 0 };
      await markBulkResponseStarted(database, input.bulkResponseId, counts);
      return counts.total;
    },

    // The stored summary is recounted from the per-device rows, the durable truth, after every
    // device the execution never reached has been recorded `canceled`.
    async finalizeBulkResponse(input: FinalizeInput): Promise<BulkCounts> {
      return database.transaction(async (transaction) => {
        if (input.status === 'canceled' || input.status === 'aborted') {
          const remaining = devicePageSelect(
            'd.id, d.unique_id',
            input.source,
            input.companyId,
            input.afterDeviceId,
            unbounded,
          );
          await cancelUnreachedDevices(transaction, input.bulkResponseId, remaining);
        }
        const byStatus = await countDeviceResults(transaction, input.bulkResponseId);
        const counts = emptyCounts();
        for (const status of deviceStatuses) counts[status] = byStatus[status] ?? 0;
        counts.total = Math.max(
          input.total,
          Object.values(byStatus).reduce((sum, count) => sum + count, 0),
        );
        await updateBulkResponseStatus(transaction, input.bulkResponseId, input.status, counts, true);
        return counts;
      });
    },
  };
}
