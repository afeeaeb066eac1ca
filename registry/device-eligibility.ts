import type { ResolvedCommand } from '../contracts/bulk-action.types';
import type { Rollout } from '../contracts/fleet-action.schema';
import type { SkipReason } from '../contracts/statuses';
import type { BatchDeviceRow } from './device-batch.repository';
import { isOnlineAt } from './presence';

// Why a device is left out of a device-facing action, evaluated when the action reaches it;
// undefined means it receives the command. Order matters: the first reason that holds is given.
export function skipReasonOf(
  device: BatchDeviceRow,
  command: ResolvedCommand,
  rollout: Rollout | undefined,
  now: Date,
): SkipReason | undefined {
  if (!device.active) return 'inactive';
  if (command.gatewayCommand && device.actions[command.gatewayCommand] !== true) return 'gateway_command_not_supported';
  if (command.requiredActions?.some((name) => device.actions[name] !== true)) return 'gateway_command_not_supported';
  if (command.kind === 'command' && hasOtherTypes(command.deviceTypeIds, device.device_type_id)) {
    return 'command_not_for_device_type';
  }
  if (command.setting) {
    if (hasOtherTypes(command.configurationDeviceTypeIds, device.device_type_id))
      return 'configuration_not_for_device_type';
    if (device.actions.send_config !== true) return 'send_config_not_supported';
    if (!rollout?.force && device.applied_settings[command.setting.settingId] === command.setting.version)
      return 'already_applied';
  }
  if (rollout?.skip_offline && !isOnline(device, now)) return 'offline';
  return undefined;
}

// Presence first (a device that said offline, or whose will fired, is offline at once), then the
// heartbeat age: registry/presence.ts, the rule every "online" uses.
export function isOnline(device: BatchDeviceRow, now: Date): boolean {
  return isOnlineAt(device, now);
}

// An empty list means every device type.
function hasOtherTypes(deviceTypeIds: string[] | undefined, deviceTypeId: string): boolean {
  return deviceTypeIds !== undefined && deviceTypeIds.length > 0 && !deviceTypeIds.includes(deviceTypeId);
}
