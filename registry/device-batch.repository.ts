import type { DeviceSource } from '../contracts/bulk-action.types';
import type { DeviceUndo } from '../contracts/rollback';
import type { Queryable } from './database';
import { devicePageSelect, type RecordedFilter } from './device-page';
import { presenceColumns } from './presence';
import type { DeviceConfigurationRow } from './registry-actions.repository';

export interface BatchDeviceRow {
  id: string;
  unique_id: string;
  active: boolean;
  device_type_id: string;
  device_type: string;
  actions: Record<string, boolean>;
  last_seen_at: Date | null;
  heartbeat_period: number;
  connected: boolean | null;
  presence_changed_at: Date | null;
  applied_settings: Record<string, number>;
  // Only on a sweep (RecordedFilter.newcomers).
  previously_skipped?: boolean;
  // Only for a rollback: what the parent's row says to undo.
  undo?: DeviceUndo | null;
}

const columns = `d.id, d.unique_id, d.active, d.device_type_id, d.last_seen_at, d.heartbeat_period, ${presenceColumns('d')}, d.applied_settings,
  (select t.type from device_types t where t.id = d.device_type_id) as device_type,
  coalesce((select t.capabilities -> 'actions' from device_types t where t.id = d.device_type_id), '{}'::jsonb) as actions`;

// What eligibility needs to know of each device in a batch, in one keyset query. With
// `recorded`, devices the bulk response already has are left out (see RecordedFilter).
export function loadDeviceBatch(
  database: Queryable,
  source: DeviceSource,
  companyId: string,
  afterDeviceId: string | null,
  limit: number,
  recorded?: RecordedFilter,
): Promise<BatchDeviceRow[]> {
  const select = devicePageSelect(columns, source, companyId, afterDeviceId, limit, recorded);
  return database.query<BatchDeviceRow>(select.sql, select.params);
}

// A device that acknowledged a configuration now runs that setting version.
export async function recordAppliedSetting(
  database: Queryable,
  deviceIds: readonly string[],
  setting: { settingId: string; version: number },
): Promise<DeviceConfigurationRow[]> {
  if (deviceIds.length === 0) return [];
  return database.query<DeviceConfigurationRow>(
    `update devices set applied_settings = applied_settings || jsonb_build_object($2::text, $3::int), updated_at = now()
     where id = any($1::text[]) returning id, heartbeat_period, heartbeat_values, applied_settings`,
    [deviceIds, setting.settingId, setting.version],
  );
}
