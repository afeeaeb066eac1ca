import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RolloutView } from '../contracts/bulk-action.types';
import { searchAttributeNames } from '../contracts/search-attributes';
import type { BulkCounts } from '../contracts/statuses';

// Messages shared by the workflows and the API: defined once, used by both sides.
export const rolloutStatusQuery = defineQuery<RolloutView>('rolloutStatus');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');

// A batch's state as it tells its rollout: sent at once when its page is loaded, when it has
// dispatched every device, when it ends, and in between at most a few times a second.
export interface BatchReport {
  batchNumber: number;
  counts: BulkCounts;
  onlineInFlight: number;
  enqueued: number;
  page: { lastDeviceId: string | null; deviceCount: number; newDevices?: number } | null;
  dispatched: boolean;
  done: boolean;
  failure: string | null;
  // Outside the maintenance windows, the batch dispatches nothing until then (epoch ms).
  waitingUntil?: number;
}

// What the rest of the rollout holds of its shared bounds, told to the dispatching batch: the
// other batches' devices awaiting answers, and everybody else's results for the abort rule.
export interface BatchWindow {
  onlineInFlight: number;
  enqueued: number;
  counts: BulkCounts;
}

export const batchReportSignal = defineSignal<[BatchReport]>('batchReport');
export const batchWindowSignal = defineSignal<[BatchWindow]>('batchWindow');
// Abort: send nothing more; devices already commanded still end with their real answer.
export const stopDispatchSignal = defineSignal('stopDispatch');

export const searchAttributeKeys = {
  companyId: defineSearchAttributeKey(searchAttributeNames.companyId, SearchAttributeType.KEYWORD),
  fleetId: defineSearchAttributeKey(searchAttributeNames.fleetId, SearchAttributeType.KEYWORD),
  action: defineSearchAttributeKey(searchAttributeNames.action, SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey(searchAttributeNames.status, SearchAttributeType.KEYWORD),
};
