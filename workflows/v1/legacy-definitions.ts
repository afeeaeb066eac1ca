import { defineQuery } from '@temporalio/workflow';
import type { BulkStatusView } from './legacy.types';

export const bulkStatusQuery = defineQuery<BulkStatusView>('bulkStatus');
