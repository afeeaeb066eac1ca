import type { CreateFleet, FleetCriteria, UpdateFleet } from '../contracts/fleet.schema';
import type { Queryable } from './database';
import { deviceColumns, withHeartbeatStatus, type DeviceRecord, type DeviceRow } from './devices.repository';
import { fleetCriteriaWhere } from './fleet-criteria';
import { newObjectId } from './object-id';
import { selectPage, type PageRequest, type PageResult } from './pagination';

export interface FleetRecord {
  _id: string;
  company_id: string;
  name: string;
  criteria: FleetCriteria;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id as "_id", company_id, name, criteria, created_at, updated_at';

export async function createFleet(database: Queryable, companyId: string, body: CreateFleet): Promise<FleetRecord> {
  const rows = await database.query<FleetRecord>(
    `insert into fleets (id, company_id, name, criteria) values ($1, $2, $3, $4) returning ${columns}`,
    [newObjectId(), companyId, body.name, JSON.stringify(body.criteria)],
  );
  return rows[0]!;
}

export async function getFleet(database: Queryable, companyId: string, id: string): Promise<FleetRecord | undefined> {
  const rows = await database.query<FleetRecord>(`select ${columns} from fleets where company_id = $1 and id = $2`, [
    companyId,
    id,
  ]);
  return rows[0];
}

export function listFleets(
  database: Queryable,
  companyId: string,
  page: PageRequest,
): Promise<PageResult<FleetRecord>> {
  return selectPage(
    database,
    { columns, fromWhere: 'from fleets where company_id = $1', orderBy: 'id', params: [companyId] },
    page,
  );
}

export async function updateFleet(
  database: Queryable,
  companyId: string,
  id: string,
  body: UpdateFleet,
): Promise<FleetRecord | undefined> {
  const rows = await database.query<FleetRecord>(
    `update fleets set name = coalesce($3, name), criteria = coalesce($4::jsonb, criteria), updated_at = now()
     where company_id = $1 and id = $2 returning ${columns}`,
    [companyId, id, body.name ?? null, body.criteria ? JSON.stringify(body.criteria) : null],
  );
  return rows[0];
}

export async function deleteFleet(database: Queryable, companyId: string, id: string): Promise<boolean> {
  const rows = await database.query('delete from fleets where company_id = $1 and id = $2 returning id', [
    companyId,
    id,
  ]);
  return rows.length > 0;
}

// The ids of the company's devices matching `criteria`, in id order: what a fleet resolves to now.
export async function resolveFleetDeviceIds(
  database: Queryable,
  companyId: string,
  criteria: FleetCriteria,
): Promise<string[]> {
  const where = fleetCriteriaWhere(criteria, 1);
  const rows = await database.query<{ id: string }>(
    `select d.id from devices d where d.company_id = $1 and ${where.sql} order by d.id`,
    [companyId, ...where.params],
  );
  return rows.map((row) => row.id);
}

// A page of the devices a fleet's criteria select right now.
export async function listFleetDevices(
  database: Queryable,
  companyId: string,
  criteria: FleetCriteria,
  page: PageRequest,
): Promise<PageResult<DeviceRecord>> {
  const where = fleetCriteriaWhere(criteria, 1);
  const result = await selectPage<DeviceRow>(
    database,
    {
      columns: deviceColumns,
      fromWhere: `from devices d where d.company_id = $1 and ${where.sql}`,
      orderBy: 'd.id',
      params: [companyId, ...where.params],
    },
    page,
  );
  const now = new Date();
  return { total: result.total, rows: result.rows.map((row) => withHeartbeatStatus(row, now)) };
}
