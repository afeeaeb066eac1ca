import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RolloutView } from '../contracts/bulk-action.types';
import type { Approver, CountsSnapshot } from '../contracts/rollout-model';
import { searchAttributeNames } from '../contracts/search-attributes';

// Messages shared by the rollout workflow and its callers: defined once, used by both sides.
export const rolloutStatusQuery = defineQuery<RolloutView>('rolloutStatus');

// An operator's steering: each answers the rollout's view once the workflow reached the new state
// (and its record says so). On a rollout that already stopped, the validator refuses it.
export const pauseUpdate = defineUpdate<RolloutView>('pause');
export const resumeUpdate = defineUpdate<RolloutView>('resume');
export const cancelUpdate = defineUpdate<RolloutView>('cancel');

// An approval (or its refusal) of the stage the rollout waits to start: by an operator or admin
// other than the user who started the rollout; the API passes who asks, the workflow checks it.
export interface ApprovalRequest {
  by: Approver;
  comment: string | null;
}
export const approveUpdate = defineUpdate<RolloutView, [ApprovalRequest]>('approve');
export const rejectUpdate = defineUpdate<RolloutView, [ApprovalRequest]>('reject');

// From the worker that recorded device answers: the counts the rows say now (the newest wins).
export const rowsCountedSignal = defineSignal<[CountsSnapshot]>('rowsCounted');
// From the worker that saw devices connect: some offline devices of this rollout may be sent to.
export const devicesConnectedSignal = defineSignal('devicesConnected');

export const searchAttributeKeys = {
  companyId: defineSearchAttributeKey(searchAttributeNames.companyId, SearchAttributeType.KEYWORD),
  fleetId: defineSearchAttributeKey(searchAttributeNames.fleetId, SearchAttributeType.KEYWORD),
  action: defineSearchAttributeKey(searchAttributeNames.action, SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey(searchAttributeNames.status, SearchAttributeType.KEYWORD),
};
