import type { Queryable } from './database';
import { newObjectId } from './object-id';

// One device of an import or seed; absent optional fields keep the stored value on update and
// take the column default on insert.
export interface DeviceUpsertRow {
  unique_id: string;
  device_type_id: string;
  name?: string | undefined;
  tags?: string[] | undefined;
  metadata?: Record<string, string> | undefined;
  heartbeat_period?: number | undefined;
  heartbeat_values?: string[] | undefined;
  active?: boolean | undefined;
}

const recordset = `jsonb_to_recordset($2::jsonb) as r(id text, unique_id text, name text, device_type_id text, tags text[],
  metadata jsonb, heartbeat_period integer, heartbeat_values text[], active boolean)`;

// Upserts by unique_id in two set-based statements (update the known, insert the rest), so a
// thousand rows cost two round trips. Callers guarantee unique unique_ids and company-owned types.
export async function upsertDevices(
  database: Queryable,
  companyId: string,
  devices: readonly DeviceUpsertRow[],
): Promise<{ created: number; updated: number }> {
  if (devices.length === 0) return { created: 0, updated: 0 };
  const payload = JSON.stringify(devices.map((device) => ({ ...device, id: newObjectId() })));
  const updated = await database.query(
    `update devices d set name = coalesce(r.name, d.name), device_type_id = r.device_type_id, tags = coalesce(r.tags, d.tags),
       metadata = coalesce(r.metadata, d.metadata), heartbeat_period = coalesce(r.heartbeat_period, d.heartbeat_period),
       heartbeat_values = coalesce(r.heartbeat_values, d.heartbeat_values), active = coalesce(r.active, d.active), updated_at = now()
     from ${recordset} where d.company_id = $1 and d.unique_id = r.unique_id returning d.id`,
    [companyId, payload],
  );
  const created = await database.query(
    `insert into devices (id, company_id, unique_id, name, device_type_id, tags, metadata, heartbeat_period, heartbeat_values, active)
     select r.id, $1, r.unique_id, coalesce(r.name, ''), r.device_type_id, coalesce(r.tags, '{}'), coalesce(r.metadata, '{}'),
       coalesce(r.heartbeat_period, 300), coalesce(r.heartbeat_values, '{}'), coalesce(r.active, true)
     from ${recordset}
     where not exists (select 1 from devices d where d.company_id = $1 and d.unique_id = r.unique_id) returning id`,
    [companyId, payload],
  );
  return { created: created.length, updated: updated.length };
}
