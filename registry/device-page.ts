import type { DeviceSource } from '../contracts/bulk-action.types';
import { fleetCriteriaWhere, type SqlFragment } from './fleet-criteria';

// The devices an execution walks: `from` and `where` over `devices d`, parameters from $1.
function sourceFilter(source: DeviceSource, companyId: string): SqlFragment {
  if (source.kind === 'retry') {
    return {
      sql: `devices d join bulk_response_devices previous
              on previous.device_id = d.id and previous.bulk_response_id = $2
            where d.company_id = $1 and previous.status = any($3::text[])`,
      params: [companyId, source.parentBulkResponseId, source.statuses ?? ['fail', 'timed_out']],
    };
  }
  if (source.kind === 'devices') {
    return {
      sql: 'devices d where d.company_id = $1 and d.id = any($2::text[])',
      params: [companyId, source.deviceIds],
    };
  }
  const criteria = fleetCriteriaWhere(source.criteria, 2);
  return {
    sql: `devices d where d.company_id = $1 and d.created_at <= $2 and ${criteria.sql}`,
    params: [companyId, source.createdBefore, ...criteria.params],
  };
}

// Keyset pages in id order, so a page is found by index whatever the size of the fleet and a
// retried page returns the same devices.
export function devicePageSelect(
  columns: string,
  source: DeviceSource,
  companyId: string,
  afterDeviceId: string | null,
  limit: number,
  unrecordedIn?: string,
): SqlFragment {
  const filter = sourceFilter(source, companyId);
  const after = filter.params.length + 1;
  const unrecorded = unrecordedIn
    ? ` and not exists (select 1 from bulk_response_devices recorded
         where recorded.bulk_response_id = $${after + 2} and recorded.device_id = d.id)`
    : '';
  return {
    sql: `select ${columns} from ${filter.sql} and d.id > $${after}${unrecorded} order by d.id limit $${after + 1}`,
    params: [...filter.params, afterDeviceId ?? '', limit, ...(unrecordedIn ? [unrecordedIn] : [])],
  };
}

export function deviceCountSelect(source: DeviceSource, companyId: string): SqlFragment {
  const filter = sourceFilter(source, companyId);
  return { sql: `select count(*)::int as total from ${filter.sql}`, params: filter.params };
}
