import type { DeviceSource, PageResult } from '../contracts/bulk-action.types';
import type { FleetActionRequest } from '../contracts/fleet-action.schema';
import type { Database, Queryable } from './database';

export interface DeviceConfigurationRow {
  id: string;
  heartbeat_period: number;
  heartbeat_values: string[];
  applied_settings: Record<string, number>;
}
import { devicePageSelect } from './device-page';
import { recordDeviceResults, type DeviceResult } from './device-results.repository';

export type RegistryActionRequest = Extract<
  FleetActionRequest,
  { action: 'add_tags' | 'add_metadata' | 'update_heartbeat' }
>;

interface PageDevice {
  id: string;
  unique_id: string;
  active: boolean;
  previously_skipped?: boolean;
}

// Set union keeping existing order; shallow merge where request keys win; replace given fields.
function updateStatement(request: RegistryActionRequest): { sql: string; params: unknown[] } {
  switch (request.action) {
    case 'add_tags':
      return {
        sql: 'tags = tags || array(select unnest($2::text[]) except select unnest(tags))',
        params: [request.tags],
      };
    case 'add_metadata':
      return { sql: 'metadata = metadata || $2::jsonb', params: [JSON.stringify(request.metadata)] };
    case 'update_heartbeat':
      return {
        sql: 'heartbeat_period = coalesce($2::int, heartbeat_period), heartbeat_values = coalesce($3::text[], heartbeat_values)',
        params: [request.heartbeat_period ?? null, request.heartbeat_values ?? null],
      };
  }
}

async function applyToDevices(transaction: Queryable, request: RegistryActionRequest, deviceIds: string[]) {
  if (deviceIds.length === 0) return [];
  const update = updateStatement(request);
  return transaction.query<DeviceConfigurationRow>(
    `update devices set ${update.sql}, updated_at = now() where id = any($1::text[])
     returning id, heartbeat_period, heartbeat_values, applied_settings`,
    [deviceIds, ...update.params],
  );
}

export interface RegistryPageRequest {
  bulkResponseId: string;
  companyId: string;
  source: DeviceSource;
  request: RegistryActionRequest;
  afterDeviceId: string | null;
  limit: number;
  // A continuous rollout's sweep: only devices the bulk response has not acted on yet.
  newcomers?: boolean;
}

// One page in one transaction: the devices' change and their per-device results commit together,
// and the change is idempotent, so a retried page converges on the same state.
export async function applyRegistryActionPage(
  database: Database,
  options: RegistryPageRequest,
): Promise<PageResult & { updated: DeviceConfigurationRow[] }> {
  return database.transaction(async (transaction) => {
    const select = devicePageSelect(
      'd.id, d.unique_id, d.active',
      options.source,
      options.companyId,
      options.afterDeviceId,
      options.limit,
      options.newcomers ? { bulkResponseId: options.bulkResponseId, newcomers: true } : undefined,
    );
    const devices = await transaction.query<PageDevice>(`${select.sql} for update of d`, select.params);
    const activeIds = devices.filter((device) => device.active).map((device) => device.id);
    const updated = await applyToDevices(transaction, options.request, activeIds);
    const results: DeviceResult[] = devices.map((device) =>
      device.active
        ? { deviceId: device.id, uniqueId: device.unique_id, status: 'success', attempts: 1 }
        : { deviceId: device.id, uniqueId: device.unique_id, status: 'skipped', reason: 'inactive', attempts: 0 },
    );
    await recordDeviceResults(transaction, options.bulkResponseId, results);
    const earlier = devices.filter((device) => device.previously_skipped).length;
    return {
      lastDeviceId: devices.at(-1)?.id ?? null,
      deviceCount: devices.length,
      ...(options.newcomers ? { newDevices: devices.length - earlier } : {}),
      updated,
    };
  });
}
