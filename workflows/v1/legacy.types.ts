import type { BulkActionRequest, DeviceSource, ResolvedCommand } from '../../contracts/bulk-action.types';
import type { BulkCounts, BulkStatus } from '../../contracts/statuses';

// The shapes of the first workflow generation, frozen so executions started before the rollout
// workflow existed still replay and finish (docs/decisions.md, "Engine generations").

export interface BulkActionInput {
  bulkResponseId: string;
  companyId: string;
  fleetId: string | null;
  request: BulkActionRequest;
  source: DeviceSource;
  command?: ResolvedCommand;
}

export interface BulkActionProgress {
  afterDeviceId: string | null;
  batchNumber: number;
  counts: BulkCounts;
  startedAt: string | null;
  canaryRemaining: number | null;
  paused?: boolean;
}

export interface BulkStatusView {
  status: BulkStatus;
  counts: BulkCounts;
  startedAt: string | null;
  currentBatchWorkflowId: string | null;
}
