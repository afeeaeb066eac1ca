import type { DeviceSource } from '../contracts/bulk-action.types';
import { emptyCounts, type BulkCounts, type BulkStatus } from '../contracts/statuses';
import {
  insertBulkResponse,
  markBulkResponseStarted,
  saveBulkResponseProgress,
} from '../registry/bulk-responses.repository';
import type { Database } from '../registry/database';
import { silentObserver, type EngineObserver } from './engine-observer';
import { finalizeBulkResponseRecord, type FinalizeInput } from '../registry/bulk-response-finalization';
import { deviceCountSelect, newcomerCountSelect } from '../registry/device-page';

export type { FinalizeInput };

export interface StartInput {
  bulkResponseId: string;
  companyId: string;
  source: DeviceSource;
  // What the API would have stored: written here if the API died before it could.
  record?: {
    fleetId: string | null;
    parentId: string | null;
    action: string;
    request: unknown;
    createdBy: string | null;
  };
}

export function createBulkResponseActivities({
  database,
  observer = silentObserver,
}: {
  database: Database;
  observer?: EngineObserver | undefined;
}) {
  return {
    // Counts the devices the execution will walk and marks the stored record as processing.
    async startBulkResponse(input: StartInput): Promise<number> {
      if (input.record) {
        await insertBulkResponse(database, {
          id: input.bulkResponseId,
          companyId: input.companyId,
          ...input.record,
        });
      }
      const count = deviceCountSelect(input.source, input.companyId);
      const [row] = await database.query<{ total: number }>(count.sql, count.params);
      const counts: BulkCounts = { ...emptyCounts(), total: row?.total ?? 0 };
      await markBulkResponseStarted(database, input.bulkResponseId, counts);
      observer.bulkResponseStarted(input.bulkResponseId, input.record?.action ?? 'unknown');
      return counts.total;
    },

    // A continuous rollout's check, run as a local activity: how many devices of the fleet (as
    // it is now) the bulk response has not acted on yet. Zero means no sweep is needed.
    async countFleetNewcomers(input: { bulkResponseId: string; companyId: string; source: DeviceSource }) {
      const count = newcomerCountSelect(input.source, input.companyId, input.bulkResponseId);
      const [row] = await database.query<{ total: number }>(count.sql, count.params);
      return row?.total ?? 0;
    },

    // waitingFor is absent from saves scheduled before it existed.
    async saveBulkProgress(input: {
      bulkResponseId: string;
      status: BulkStatus;
      counts: BulkCounts;
      waitingFor?: string | null;
    }): Promise<void> {
      const previous = await saveBulkResponseProgress(
        database,
        input.bulkResponseId,
        input.status,
        input.counts,
        input.waitingFor ?? null,
      );
      if (previous !== undefined && previous !== input.status)
        observer.bulkResponseStatusChanged(input.bulkResponseId, input.status, previous);
    },

    async finalizeBulkResponse(input: FinalizeInput): Promise<BulkCounts> {
      const counts = await finalizeBulkResponseRecord(database, input);
      observer.bulkResponseEnded(
        input.bulkResponseId,
        input.action ?? 'unknown',
        input.status,
        input.statusReason ?? null,
      );
      return counts;
    },
  };
}
