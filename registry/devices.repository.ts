import type { CreateDevice, UpdateDevice } from '../contracts/device.schema';
import type { Queryable } from './database';
import type { HeartbeatStatus } from './heartbeat-status';
import { newObjectId } from './object-id';
import { presenceColumns, presenceStatus, type PresenceFields } from './presence';
import { selectPage, type PageRequest, type PageResult } from './pagination';

export interface DeviceRecord {
  _id: string;
  company_id: string;
  unique_id: string;
  name: string;
  device_type_id: string;
  tags: string[];
  metadata: Record<string, string>;
  heartbeat_period: number;
  heartbeat_values: string[];
  active: boolean;
  heartbeat_status: HeartbeatStatus;
  last_seen_at: Date | null;
  applied_settings: Record<string, number>;
  created_at: Date;
  updated_at: Date;
}

// The presence columns are read for heartbeat_status only; the record does not carry them.
export type DeviceRow = Omit<DeviceRecord, 'heartbeat_status'> &
  Pick<PresenceFields, 'connected' | 'presence_changed_at'>;

export const deviceColumns = `d.id as "_id", d.company_id, d.unique_id, d.name, d.device_type_id, d.tags, d.metadata, d.heartbeat_period,
  d.heartbeat_values, d.active, d.last_seen_at, d.applied_settings, d.created_at, d.updated_at, ${presenceColumns('d')}`;

export function withHeartbeatStatus(row: DeviceRow, now = new Date()): DeviceRecord {
  const { connected, presence_changed_at, ...record } = row;
  return { ...record, heartbeat_status: presenceStatus({ ...record, connected, presence_changed_at }, now) };
}

export async function createDevice(database: Queryable, companyId: string, body: CreateDevice): Promise<DeviceRecord> {
  const rows = await database.query<DeviceRow>(
    `insert into devices as d (id, company_id, unique_id, name, device_type_id, tags, metadata, heartbeat_period, heartbeat_values, active)
     values ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9::text[], $10) returning ${deviceColumns}`,
    [
      newObjectId(),
      companyId,
      body.unique_id,
      body.name ?? '',
      body.device_type_id,
      [...new Set(body.tags ?? [])],
      JSON.stringify(body.metadata ?? {}),
      body.heartbeat_period ?? 300,
      [...new Set(body.heartbeat_values ?? [])],
      body.active ?? true,
    ],
  );
  return withHeartbeatStatus(rows[0]!);
}

export async function getDevice(database: Queryable, companyId: string, id: string): Promise<DeviceRecord | undefined> {
  const rows = await database.query<DeviceRow>(
    `select ${deviceColumns} from devices d where d.company_id = $1 and d.id = $2`,
    [companyId, id],
  );
  return rows[0] && withHeartbeatStatus(rows[0]);
}

export interface DeviceFilters {
  unique_id?: string | undefined;
  device_type_id?: string | undefined;
}

export async function listDevices(
  database: Queryable,
  companyId: string,
  page: PageRequest,
  filters: DeviceFilters = {},
): Promise<PageResult<DeviceRecord>> {
  const params: unknown[] = [companyId];
  const clauses = ['d.company_id = $1'];
  for (const column of ['unique_id', 'device_type_id'] as const) {
    const value = filters[column];
    if (value === undefined) continue;
    params.push(value);
    clauses.push(`d.${column} = $${params.length}`);
  }
  const result = await selectPage<DeviceRow>(
    database,
    { columns: deviceColumns, fromWhere: `from devices d where ${clauses.join(' and ')}`, orderBy: 'd.id', params },
    page,
  );
  const now = new Date();
  return { total: result.total, rows: result.rows.map((row) => withHeartbeatStatus(row, now)) };
}

export async function updateDevice(
  database: Queryable,
  companyId: string,
  id: string,
  body: UpdateDevice,
): Promise<DeviceRecord | undefined> {
  const rows = await database.query<DeviceRow>(
    `update devices d set unique_id = coalesce($3, unique_id), name = coalesce($4, name), device_type_id = coalesce($5, device_type_id),
       tags = coalesce($6::text[], tags), metadata = coalesce($7::jsonb, metadata), heartbeat_period = coalesce($8, heartbeat_period),
       heartbeat_values = coalesce($9::text[], heartbeat_values), active = coalesce($10, active), updated_at = now()
     where d.company_id = $1 and d.id = $2 returning ${deviceColumns}`,
    [
      companyId,
      id,
      body.unique_id ?? null,
      body.name ?? null,
      body.device_type_id ?? null,
      body.tags ? [...new Set(body.tags)] : null,
      body.metadata ? JSON.stringify(body.metadata) : null,
      body.heartbeat_period ?? null,
      body.heartbeat_values ? [...new Set(body.heartbeat_values)] : null,
      body.active ?? null,
    ],
  );
  return rows[0] && withHeartbeatStatus(rows[0]);
}

export async function deleteDevice(database: Queryable, companyId: string, id: string): Promise<boolean> {
  const rows = await database.query('delete from devices where company_id = $1 and id = $2 returning id', [
    companyId,
    id,
  ]);
  return rows.length > 0;
}
