import type { DeviceSource, PageResult } from '../contracts/bulk-action.types';
import type { RegistryActionName } from '../contracts/action-catalogue';
import type { FleetActionRequestOf } from '../contracts/fleet-action.schema';
import type { Database, Queryable } from './database';

export interface DeviceConfigurationRow {
  id: string;
  heartbeat_period: number;
  heartbeat_values: string[];
  applied_settings: Record<string, number>;
}
import { devicePageSelect } from './device-page';
import { recordDeviceResults, type DeviceResult } from './device-results.repository';
import { revertSqlOf, undoOf, type DeviceBefore } from './registry-undo';

export type RegistryActionRequest = FleetActionRequestOf<RegistryActionName>;

interface PageDevice extends DeviceBefore {
  id: string;
  unique_id: string;
  active: boolean;
  previously_skipped?: boolean;
}

interface RegistryChange<Request> {
  // The `set` list applied to a page of devices in one statement ($1 is their ids); it must be
  // idempotent, as a retried page applies it again.
  update(request: Request): { sql: string; params: unknown[] };
  // Whether the change reaches the devices: their retained configuration is published again.
  pushesConfiguration: boolean;
}

// One entry per registry action of the catalogue: a new one does not compile until it has its SQL.
const registryChanges: { [Name in RegistryActionName]: RegistryChange<FleetActionRequestOf<Name>> } = {
  // Set union keeping the existing order.
  add_tags: {
    update: (request) => ({
      sql: 'tags = tags || array(select unnest($2::text[]) except select unnest(tags))',
      params: [request.tags],
    }),
    pushesConfiguration: false,
  },
  // Set difference keeping the order of the tags left; a tag the device lacks changes nothing.
  remove_tags: {
    update: (request) => ({
      sql: `tags = array(select tag from unnest(tags) with ordinality as kept(tag, position)
                         where tag <> all($2::text[]) order by position)`,
      params: [request.tags],
    }),
    pushesConfiguration: false,
  },
  // Shallow merge where request keys win.
  add_metadata: {
    update: (request) => ({ sql: 'metadata = metadata || $2::jsonb', params: [JSON.stringify(request.metadata)] }),
    pushesConfiguration: false,
  },
  // Replaces the fields given.
  update_heartbeat: {
    update: (request) => ({
      sql: 'heartbeat_period = coalesce($2::int, heartbeat_period), heartbeat_values = coalesce($3::text[], heartbeat_values)',
      params: [request.heartbeat_period ?? null, request.heartbeat_values ?? null],
    }),
    pushesConfiguration: true,
  },
};

// The entry of the request's own action, which takes that action's request.
function registryChangeOf(request: RegistryActionRequest): RegistryChange<RegistryActionRequest> {
  return registryChanges[request.action];
}

function updateStatement(request: RegistryActionRequest): { sql: string; params: unknown[] } {
  return registryChangeOf(request).update(request);
}

export function pushesConfiguration(request: RegistryActionRequest): boolean {
  return registryChangeOf(request).pushesConfiguration;
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

// A rollback's page: each device put back as its row in the bulk response undone says.
async function revertDevices(
  transaction: Queryable,
  request: RegistryActionRequest,
  rollbackOf: string,
  ids: string[],
) {
  if (ids.length === 0) return [];
  return transaction.query<DeviceConfigurationRow>(
    `update devices d set ${revertSqlOf(request.action)}, updated_at = now()
       from bulk_response_devices p
      where d.id = any($1::text[]) and p.bulk_response_id = $2 and p.device_id = d.id and p.undo is not null
     returning d.id, d.heartbeat_period, d.heartbeat_values, d.applied_settings`,
    [ids, rollbackOf],
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
      'd.id, d.unique_id, d.active, d.tags, d.metadata, d.heartbeat_period, d.heartbeat_values',
      options.source,
      options.companyId,
      options.afterDeviceId,
      options.limit,
      options.newcomers ? { bulkResponseId: options.bulkResponseId, newcomers: true } : undefined,
    );
    const devices = await transaction.query<PageDevice>(`${select.sql} for update of d`, select.params);
    // A rollback puts back what its parent changed (and records nothing to undo itself); any
    // other page changes the devices and records, with each row, what it replaced.
    const { source } = options;
    const rollback = source.kind === 'rollback';
    const results: DeviceResult[] = devices.map((device) =>
      device.active
        ? {
            deviceId: device.id,
            uniqueId: device.unique_id,
            status: 'success',
            attempts: 1,
            undo: rollback ? null : undoOf(options.request, device),
          }
        : { deviceId: device.id, uniqueId: device.unique_id, status: 'skipped', reason: 'inactive', attempts: 0 },
    );
    // The rows first: a device whose row a stopped rollout already wrote (`canceled` while this
    // page ran) is left unchanged, so the devices changed are exactly those recorded `success`.
    const written = await recordDeviceResults(transaction, options.bulkResponseId, results);
    const activeIds = devices.filter((device) => device.active && written.has(device.id)).map((device) => device.id);
    const updated = rollback
      ? await revertDevices(transaction, options.request, source.parentBulkResponseId, activeIds)
      : await applyToDevices(transaction, options.request, activeIds);
    const earlier = devices.filter((device) => device.previously_skipped).length;
    return {
      lastDeviceId: devices.at(-1)?.id ?? null,
      deviceCount: devices.length,
      ...(options.newcomers ? { newDevices: devices.length - earlier } : {}),
      updated,
    };
  });
}
