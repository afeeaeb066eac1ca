import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BulkStatusView } from '../contracts/bulk-action.types';
import { searchAttributeNames } from '../contracts/search-attributes';

// Messages shared by the workflows and the API: defined once, used by both sides.
export const bulkStatusQuery = defineQuery<BulkStatusView>('bulkStatus');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');

export const searchAttributeKeys = {
  companyId: defineSearchAttributeKey(searchAttributeNames.companyId, SearchAttributeType.KEYWORD),
  fleetId: defineSearchAttributeKey(searchAttributeNames.fleetId, SearchAttributeType.KEYWORD),
  action: defineSearchAttributeKey(searchAttributeNames.action, SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey(searchAttributeNames.status, SearchAttributeType.KEYWORD),
};
