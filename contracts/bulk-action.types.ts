import type { FleetActionRequest } from './fleet-action.schema';
import type { FleetCriteria } from './fleet.schema';
import type { DeviceCommandsRequest } from './send-commands-bulk.schema';
import type { BulkCounts, BulkStatus, DeviceStatus } from './statuses';
import type { DeviceUndo } from './rollback';
import { isDeviceAction, type ActionName, type DeviceActionName, type RegistryActionName } from './action-catalogue';

// Which devices an execution walks, resolved when it starts: a fleet's criteria frozen at start
// time (devices created later are not part of it), or the failed devices of an earlier response.
export type DeviceSource =
  | { kind: 'fleet'; criteria: FleetCriteria; createdBefore: string }
  // The devices of an earlier response that ended in one of `statuses` (default fail, timed_out).
  | { kind: 'retry'; parentBulkResponseId: string; statuses?: DeviceStatus[] }
  // Named devices (IRIS360 sendCommandsBulk); bounded by the request's size limit.
  | { kind: 'devices'; deviceIds: string[] }
  // The devices an earlier response acted on, to undo what it did (contracts/rollback.ts); a retry
  // of a rollback only those of that rollback that ended in `retried.statuses`.
  | {
      kind: 'rollback';
      parentBulkResponseId: string;
      action: ActionName;
      retried?: { bulkResponseId: string; statuses: DeviceStatus[] };
    };

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
  setting?: {
    configurationId: string;
    settingId: string;
    version: number;
    values: Record<string, unknown>;
    // A rollback: each device goes back to the version it applied before that bulk response (its
    // row's undo), so the version and values sent differ per device.
    restoreFrom?: string;
  };
  configurationDeviceTypeIds?: string[];
  // Capabilities (device type `capabilities.actions`) a device must all have to receive it:
  // the IRIS360 command names, re-checked per device when the action reaches it.
  requiredActions?: string[];
}

interface BulkActionTarget {
  bulkResponseId: string;
  companyId: string;
  fleetId: string | null;
  source: DeviceSource;
  // Who asked, so the execution can write the stored record itself if the API died after
  // starting it (the record is then never missing for an execution that runs).
  createdBy: string | null;
  parentId: string | null;
}

type RequestOf<Name extends ActionName> = Extract<BulkActionRequest, { action: Name }>;

// A registry action needs nothing resolved; a device action carries the command every device
// receives, so a device action without one does not compile.
export type RegistryActionInput = BulkActionTarget & { request: RequestOf<RegistryActionName> };
export type DeviceActionInput = BulkActionTarget & { request: RequestOf<DeviceActionName>; command: ResolvedCommand };
export type BulkActionInput = RegistryActionInput | DeviceActionInput;

export function isDeviceActionInput(input: BulkActionInput): input is DeviceActionInput {
  return isDeviceAction(input.request.action);
}

export interface StatusReason {
  code: string;
  message: string;
}

// What the rollout's status query and the controls answer: the live status, the counts the rows
// say, why it ended if it did, and what it is waiting for right now, in words an operator can act on.
export interface RolloutView {
  status: BulkStatus;
  counts: BulkCounts;
  startedAt: string | null;
  statusReason: StatusReason | null;
  waitingFor: string | null;
}

export interface PageResult {
  lastDeviceId: string | null;
  deviceCount: number;
  // A continuous rollout's sweep: devices the bulk response never had before.
  newDevices?: number;
}

export interface DeviceResult {
  deviceId: string;
  uniqueId: string;
  status: DeviceStatus;
  reason?: string | undefined;
  message?: string | undefined;
  attempts: number;
  // What the action changed on the device, for a rollback (registry actions write it with the row).
  undo?: DeviceUndo | null | undefined;
}
