import type { FleetActionRequest } from './fleet-action.schema';
import type { FleetCriteria } from './fleet.schema';
import type { DeviceCommandsRequest } from './send-commands-bulk.schema';
import type { BulkCounts, BulkStatus, DeviceStatus } from './statuses';

// Which devices an execution walks, resolved when it starts: a fleet's criteria frozen at start
// time (devices created later are not part of it), or the failed devices of an earlier response.
export type DeviceSource =
  | { kind: 'fleet'; criteria: FleetCriteria; createdBefore: string }
  | { kind: 'retry'; parentBulkResponseId: string }
  // Named devices (IRIS360 sendCommandsBulk); bounded by the request's size limit.
  | { kind: 'devices'; deviceIds: string[] };

// What a bulk response was asked to do: an EdgeIQ fleet action or IRIS360 named commands.
export type BulkActionRequest = FleetActionRequest | DeviceCommandsRequest;

// The command a device receives, resolved once by the API so every device gets the same thing.
export interface ResolvedCommand {
  kind: 'command' | 'configuration';
  name: string;
  payload: Record<string, unknown>;
  commandId?: string;
  gatewayCommand?: string;
  deviceTypeIds?: string[];
  setting?: { configurationId: string; settingId: string; version: number; values: Record<string, unknown> };
  configurationDeviceTypeIds?: string[];
  // Capabilities (device type `capabilities.actions`) a device must all have to receive it:
  // the IRIS360 command names, re-checked per device when the action reaches it.
  requiredActions?: string[];
}

export interface BulkActionInput {
  bulkResponseId: string;
  companyId: string;
  fleetId: string | null;
  request: BulkActionRequest;
  source: DeviceSource;
  command?: ResolvedCommand;
}

// What survives continue-as-new: where the walk is and what it has counted so far.
export interface BulkActionProgress {
  afterDeviceId: string | null;
  batchNumber: number;
  counts: BulkCounts;
  startedAt: string | null;
  // Devices the canary still has to walk before its gate; null without a canary or once passed.
  canaryRemaining: number | null;
  paused?: boolean;
}

export interface BulkStatusView {
  status: BulkStatus;
  counts: BulkCounts;
  startedAt: string | null;
  currentBatchWorkflowId: string | null;
}

export interface PageResult {
  counts: Partial<BulkCounts>;
  lastDeviceId: string | null;
  deviceCount: number;
}

// How a device answered a command; an async-completed device activity resolves to this.
export interface DeviceAnswer {
  status: 'success' | 'fail';
  message?: string;
  result?: Record<string, unknown>;
}

export interface DeviceResult {
  deviceId: string;
  uniqueId: string;
  status: DeviceStatus;
  reason?: string | undefined;
  message?: string | undefined;
  attempts: number;
}
