import type { CreateDeviceType, UpdateDeviceType } from '../contracts/device-type.schema';
import type { Queryable } from './database';
import { newObjectId } from './object-id';
import { selectPage, type PageRequest, type PageResult } from './pagination';

export interface DeviceTypeRecord {
  _id: string;
  company_id: string;
  name: string;
  manufacturer: string;
  model: string;
  type: 'gateway' | 'sensor' | 'cloud_native';
  capabilities: { actions: Record<string, boolean> };
  created_at: Date;
  updated_at: Date;
}

const columns = 'id as "_id", company_id, name, manufacturer, model, type, capabilities, created_at, updated_at';

export async function createDeviceType(
  database: Queryable,
  companyId: string,
  body: CreateDeviceType,
): Promise<DeviceTypeRecord> {
  const rows = await database.query<DeviceTypeRecord>(
    `insert into device_types (id, company_id, name, manufacturer, model, type, capabilities)
     values ($1, $2, $3, $4, $5, $6, $7) returning ${columns}`,
    [
      newObjectId(),
      companyId,
      body.name,
      body.manufacturer ?? '',
      body.model ?? '',
      body.type,
      JSON.stringify(body.capabilities ?? { actions: {} }),
    ],
  );
  return rows[0]!;
}

export async function getDeviceType(
  database: Queryable,
  companyId: string,
  id: string,
): Promise<DeviceTypeRecord | undefined> {
  const rows = await database.query<DeviceTypeRecord>(
    `select ${columns} from device_types where company_id = $1 and id = $2`,
    [companyId, id],
  );
  return rows[0];
}

export function listDeviceTypes(
  database: Queryable,
  companyId: string,
  page: PageRequest,
): Promise<PageResult<DeviceTypeRecord>> {
  return selectPage(
    database,
    { columns, fromWhere: 'from device_types where company_id = $1', orderBy: 'id', params: [companyId] },
    page,
  );
}

export async function updateDeviceType(
  database: Queryable,
  companyId: string,
  id: string,
  body: UpdateDeviceType,
): Promise<DeviceTypeRecord | undefined> {
  const rows = await database.query<DeviceTypeRecord>(
    `update device_types set name = coalesce($3, name), manufacturer = coalesce($4, manufacturer), model = coalesce($5, model),
       type = coalesce($6, type), capabilities = coalesce($7::jsonb, capabilities), updated_at = now()
     where company_id = $1 and id = $2 returning ${columns}`,
    [
      companyId,
      id,
      body.name ?? null,
      body.manufacturer ?? null,
      body.model ?? null,
      body.type ?? null,
      body.capabilities ? JSON.stringify(body.capabilities) : null,
    ],
  );
  return rows[0];
}

export async function deleteDeviceType(database: Queryable, companyId: string, id: string): Promise<boolean> {
  const rows = await database.query('delete from device_types where company_id = $1 and id = $2 returning id', [
    companyId,
    id,
  ]);
  return rows.length > 0;
}

// The ids among `ids` that are not device types of the company (missing or someone else's).
export async function unknownDeviceTypeIds(
  database: Queryable,
  companyId: string,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await database.query<{ id: string }>(
    'select id from device_types where company_id = $1 and id = any($2::text[])',
    [companyId, [...ids]],
  );
  const known = new Set(rows.map((row) => row.id));
  return [...new Set(ids)].filter((id) => !known.has(id));
}

export async function deviceTypeInUse(database: Queryable, companyId: string, id: string): Promise<boolean> {
  const rows = await database.query('select 1 from devices where company_id = $1 and device_type_id = $2 limit 1', [
    companyId,
    id,
  ]);
  return rows.length > 0;
}
