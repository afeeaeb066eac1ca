import type { DeviceSource, ResolvedCommand } from '../contracts/bulk-action.types';
import type { Rollout } from '../contracts/fleet-action.schema';
import type { SettingUndo } from '../contracts/rollback';
import type { SkipReason } from '../contracts/statuses';
import type { Queryable } from './database';
import { loadDeviceBatch, type BatchDeviceRow } from './device-batch.repository';
import { isOnline, skipReasonOf } from './device-eligibility';

const pageSize = 2_000;

export interface FleetPopulation {
  total: number;
  eligible: number;
  online: number;
  offline: number;
  skipped: Partial<Record<SkipReason, number>>;
}

// Why a device would be left out: the device action's eligibility, or for a registry action
// (no command) only an inactive device.
export function reasonToSkip(
  device: BatchDeviceRow,
  command: ResolvedCommand | undefined,
  rollout: Rollout | undefined,
  now: Date,
): SkipReason | undefined {
  if (!command) return device.active ? undefined : 'inactive';
  const restored = restoredSetting(device, command);
  if (restored === null) return device.active ? 'no_previous_version' : 'inactive';
  return skipReasonOf(device, restored ?? command, rollout, now);
}

// A rollback of send_configuration sends each device the version it applied before: the command
// as that device receives it (undefined: the same for every device), or null when the device
// applied no version of the setting before and there is nothing to go back to.
function restoredSetting(device: BatchDeviceRow, command: ResolvedCommand): ResolvedCommand | null | undefined {
  if (!command.setting?.restoreFrom) return undefined;
  const previous = (device.undo as SettingUndo | null | undefined)?.previous_version ?? null;
  if (previous === null) return null;
  return { ...command, setting: { ...command.setting, version: previous } };
}

// Every device the action would walk, counted by what it would meet now: the dry run answers
// this, and a rollout with stages sizes them from it, so both say the same.
export async function scanFleetPopulation(
  database: Queryable,
  scan: {
    source: DeviceSource;
    companyId: string;
    command: ResolvedCommand | undefined;
    rollout: Rollout | undefined;
    now: Date;
  },
  // Each device that would receive the action (a rollback's preview counts what it would undo).
  onEligible: (device: BatchDeviceRow) => void = () => undefined,
): Promise<FleetPopulation> {
  const population: FleetPopulation = { total: 0, eligible: 0, online: 0, offline: 0, skipped: {} };
  let afterDeviceId: string | null = null;
  for (;;) {
    const devices = await loadDeviceBatch(database, scan.source, scan.companyId, afterDeviceId, pageSize);
    for (const device of devices) {
      population.total += 1;
      const reason = reasonToSkip(device, scan.command, scan.rollout, scan.now);
      if (reason) population.skipped[reason] = (population.skipped[reason] ?? 0) + 1;
      else {
        onEligible(device);
        population.eligible += 1;
        population[isOnline(device, scan.now) ? 'online' : 'offline'] += 1;
      }
    }
    if (devices.length < pageSize) return population;
    afterDeviceId = devices.at(-1)!.id;
  }
}
