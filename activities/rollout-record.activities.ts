import type { DeviceSource, ResolvedCommand, StatusReason } from '../contracts/bulk-action.types';
import type { Rollout } from '../contracts/fleet-action.schema';
import type { CountsSnapshot, RolloutRecordState } from '../contracts/rollout-model';
import type { Population } from '../contracts/rollout-plan';
import type { BulkStatus, TerminalBulkStatus } from '../contracts/statuses';
import { readCountsSnapshot } from '../registry/bulk-response-counts.repository';
import { finishBulkResponse, markBulkResponseStarted, saveRolloutState } from '../registry/bulk-responses.repository';
import type { Database } from '../registry/database';
import { deviceCountSelect, newcomerCountSelect } from '../registry/device-page';
import { scanFleetPopulation } from '../registry/fleet-population';
import { silentObserver, type EngineObserver } from './engine-observer';

export interface BeginInput {
  bulkResponseId: string;
  companyId: string;
  action: string;
  source: DeviceSource;
  command: ResolvedCommand | undefined;
  rollout: Rollout | undefined;
  // A rollout with stages sizes them from the devices it can count on now.
  population: boolean;
}

export interface SavedState {
  bulkResponseId: string;
  status: BulkStatus;
  total: number;
  state: RolloutRecordState;
}

export function createRolloutRecordActivities({
  database,
  observer = silentObserver,
}: {
  database: Database;
  observer?: EngineObserver | undefined;
}) {
  return {
    // How many devices the execution walks (and, with stages, how many are eligible and online),
    // and the record's move to processing. The API wrote the record itself before it started us.
    async beginRollout(input: BeginInput): Promise<{ total: number; population: Population | null }> {
      const count = deviceCountSelect(input.source, input.companyId);
      const [row] = await database.query<{ total: number }>(count.sql, count.params);
      const total = row?.total ?? 0;
      const scanned = input.population ? await scanFleetPopulation(database, { ...input, now: new Date() }) : undefined;
      const population = scanned ? { eligible: scanned.eligible, onlineEligible: scanned.online } : null;
      await markBulkResponseStarted(database, input.bulkResponseId, total);
      observer.bulkResponseStarted(input.bulkResponseId, input.action);
      return { total, population };
    },

    async saveRolloutState(input: SavedState): Promise<void> {
      const previous = await saveRolloutState(database, input.bulkResponseId, input);
      if (previous !== undefined && previous !== input.status)
        observer.bulkResponseStatusChanged(input.bulkResponseId, input.status, previous);
    },

    async finishRollout(input: {
      bulkResponseId: string;
      action: string;
      status: TerminalBulkStatus;
      statusReason: StatusReason | null;
      total: number;
      state: RolloutRecordState;
    }): Promise<CountsSnapshot> {
      if (await finishBulkResponse(database, input.bulkResponseId, input))
        observer.bulkResponseEnded(input.bulkResponseId, input.action, input.status, input.statusReason);
      return readCountsSnapshot(database, input.bulkResponseId);
    },

    async readCounts(input: { bulkResponseId: string }): Promise<CountsSnapshot> {
      return readCountsSnapshot(database, input.bulkResponseId);
    },

    // A continuous rollout's check, run as a local activity: how many devices of the fleet (as
    // it is now) the bulk response has not acted on yet. Zero means no sweep is needed.
    async countFleetNewcomers(input: { bulkResponseId: string; companyId: string; source: DeviceSource }) {
      const count = newcomerCountSelect(input.source, input.companyId, input.bulkResponseId);
      const [row] = await database.query<{ total: number }>(count.sql, count.params);
      return row?.total ?? 0;
    },
  };
}
