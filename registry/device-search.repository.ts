import type { PaginateDevicesRequest } from '../contracts/iris-devices.schema';
import type { Queryable } from './database';
import { deviceColumns, withHeartbeatStatus, type DeviceRecord, type DeviceRow } from './devices.repository';
import { selectPage, type PageResult } from './pagination';

const orderColumns: Record<PaginateDevicesRequest['orderBy'], string> = {
  unique_id: 'd.unique_id',
  serial: 'd.unique_id',
  name: 'd.name',
  created_at: 'd.created_at',
  updated_at: 'd.updated_at',
  heartbeat_period: 'd.heartbeat_period',
  last_seen_at: 'd.last_seen_at',
  active: 'd.active',
};

// IRIS360 device pagination: a case-sensitive substring search over serial, name and tags.
export async function searchDevices(
  database: Queryable,
  companyId: string,
  request: PaginateDevicesRequest,
): Promise<PageResult<DeviceRecord>> {
  const params: unknown[] = [companyId];
  let where = 'd.company_id = $1';
  if (request.search) {
    params.push(request.search);
    where += ` and (strpos(d.unique_id, $2) > 0 or strpos(d.name, $2) > 0 or exists (select 1 from unnest(d.tags) tag where strpos(tag, $2) > 0))`;
  }
  const direction = request.orderDirection ? 'desc' : 'asc';
  const result = await selectPage<DeviceRow>(
    database,
    {
      columns: deviceColumns,
      fromWhere: `from devices d where ${where}`,
      orderBy: `${orderColumns[request.orderBy]} ${direction}, d.id ${direction}`,
      params,
    },
    { page: Math.max(request.page, 1), perPage: request.paginationSize },
  );
  const now = new Date();
  return { total: result.total, rows: result.rows.map((row) => withHeartbeatStatus(row, now)) };
}
