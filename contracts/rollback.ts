import type { ActionName } from './action-catalogue';
import type { Rollout } from './fleet-action.schema';
import type { DeviceStatus } from './statuses';

// What a device's row keeps of the change its action made (bulk_response_devices.undo), written
// with the change itself: enough for a rollback to put the device back.
export interface TagsAddedUndo {
  added: string[];
}
export interface TagsRemovedUndo {
  removed: string[];
}
// Each key the action set that changed: its value before, or null where the key was absent.
export interface MetadataUndo {
  metadata: Record<string, string | null>;
}
// The heartbeat fields the action changed, as they were before.
export interface HeartbeatUndo {
  heartbeat_period?: number;
  heartbeat_values?: string[];
}
// The setting version the device applied before this command (null: none) and the one it carries.
export interface SettingUndo {
  setting_id: string;
  previous_version: number | null;
  version: number;
}
export type DeviceUndo = TagsAddedUndo | TagsRemovedUndo | MetadataUndo | HeartbeatUndo | SettingUndo;

// The devices a rollback reaches: those the action is known to have acted on. A device that
// answered `fail`, timed out or was canceled may not have acted, so it is left alone; `unhealthy`
// answered success and then did not come back healthy, which is what a rollback is for.
export const rolledBackStatuses: readonly DeviceStatus[] = ['success', 'unhealthy'];

// How each action is undone, per device: the kinds of undo a preview counts. Keyed by the
// catalogue, so a new action does not compile until it says how it is rolled back.
type UndoKinds = (undo: DeviceUndo | null) => string[];
const undoKinds: Record<ActionName, UndoKinds> = {
  add_tags: () => ['tags_removed'],
  remove_tags: () => ['tags_restored'],
  add_metadata: (undo) => {
    const before = Object.values((undo as MetadataUndo | null)?.metadata ?? {});
    return [
      ...(before.some((value) => value === null) ? ['metadata_keys_removed'] : []),
      ...(before.some((value) => value !== null) ? ['metadata_values_restored'] : []),
    ];
  },
  update_heartbeat: (undo) => Object.keys(undo ?? {}).map((field) => `${field}_restored`),
  send_configuration: (undo) => [`setting_version_${(undo as SettingUndo | null)?.previous_version ?? 'none'}`],
  issue_command: () => ['rollback_command'],
};

export function undoKindsOf(action: ActionName, undo: DeviceUndo | null): string[] {
  return undoKinds[action](undo);
}

// Whether a rollback reaches only the devices whose row keeps an undo: every action but
// issue_command, whose rollback sends its rollback_command to each device that acted.
export function undoRecorded(action: ActionName): boolean {
  return action !== 'issue_command';
}

// A rollback goes at the parent's pace, deadline, retries and windows, but with no gate of its own:
// no stages, abort criteria or approval (stopping half-way would leave the fleet half undone), no
// start time, sweep or end time, no force (each device goes back to what it had), and no rollback.
export function rollbackRolloutOf(rollout: Rollout | undefined): Rollout | undefined {
  if (!rollout) return undefined;
  const kept: Rollout = {};
  const keys = [
    'max_in_flight',
    'rate_per_minute',
    'ramp',
    'device_timeout_seconds',
    'retry',
    'max_device_seconds',
    'windows',
    'skip_offline',
    'confirm_health',
  ] as const;
  for (const key of keys) if (rollout[key] !== undefined) Object.assign(kept, { [key]: rollout[key] });
  return Object.keys(kept).length > 0 ? kept : undefined;
}
