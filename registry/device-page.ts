import type { DeviceSource } from '../contracts/bulk-action.types';
import { rolledBackStatuses, undoRecorded } from '../contracts/rollback';
import { fleetCriteriaWhere, type SqlFragment } from './fleet-criteria';

type RollbackSource = Extract<DeviceSource, { kind: 'rollback' }>;

// A rollback walks the devices its parent acted on, each with the parent's row (`previous`, whose
// undo says what to put back); a retry of a rollback, only those of the rollback in its statuses.
function rollbackFilter(source: RollbackSource, companyId: string): SqlFragment {
  const undo = undoRecorded(source.action) ? ' and previous.undo is not null' : '';
  const params: unknown[] = [companyId, source.parentBulkResponseId, rolledBackStatuses];
  let retried = '';
  if (source.retried) {
    retried = ` join bulk_response_devices retried on retried.device_id = d.id and retried.bulk_response_id = $4
      and retried.status = any($5::text[])`;
    params.push(source.retried.bulkResponseId, source.retried.statuses);
  }
  return {
    sql: `devices d join bulk_response_devices previous
            on previous.device_id = d.id and previous.bulk_response_id = $2${retried}
          where d.company_id = $1 and previous.status = any($3::text[])${undo}`,
    params,
  };
}

// The devices an execution walks: `from` and `where` over `devices d`, parameters from $1.
function sourceFilter(source: DeviceSource, companyId: string): SqlFragment {
  if (source.kind === 'rollback') return rollbackFilter(source, companyId);
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

// Which devices a page leaves out because the bulk response already has them: every device with
// a row, except, for `newcomers`, devices skipped before they last changed (reactivated,
// re-typed: eligible again).
export interface RecordedFilter {
  bulkResponseId: string;
  newcomers?: boolean;
}

function recordedClause(recorded: RecordedFilter, firstParameter: number): SqlFragment {
  const params: unknown[] = [recorded.bulkResponseId];
  let exceptions = '';
  if (recorded.newcomers) exceptions += " and not (recorded.status = 'skipped' and recorded.updated_at < d.updated_at)";
  return {
    sql: ` and not exists (select 1 from bulk_response_devices recorded
         where recorded.bulk_response_id = $${firstParameter} and recorded.device_id = d.id${exceptions})`,
    params,
  };
}

// Keyset pages in id order, so a page is found by index whatever the size of the fleet and a
// retried page returns the same devices. A sweep's rows also say whether the bulk response
// skipped the device before (`previously_skipped`).
export function devicePageSelect(
  columns: string,
  source: DeviceSource,
  companyId: string,
  afterDeviceId: string | null,
  limit: number,
  recorded?: RecordedFilter,
): SqlFragment {
  const filter = sourceFilter(source, companyId);
  const after = filter.params.length + 1;
  // A rollback's devices come with what their parent's row says to undo.
  const selected = source.kind === 'rollback' ? `${columns}, previous.undo as undo` : columns;
  if (!recorded) {
    return {
      sql: `select ${selected} from ${filter.sql} and d.id > $${after} order by d.id limit $${after + 1}`,
      params: [...filter.params, afterDeviceId ?? '', limit],
    };
  }
  const clause = recordedClause(recorded, after + 2);
  // Only a sweep can meet a device the bulk response skipped before: the first pass never does.
  const previouslySkipped = recorded.newcomers
    ? `, exists (select 1 from bulk_response_devices earlier where earlier.bulk_response_id = $${after + 2}
      and earlier.device_id = d.id and earlier.status = 'skipped') as previously_skipped`
    : '';
  return {
    sql: `select ${selected}${previouslySkipped} from ${filter.sql} and d.id > $${after}${clause.sql}
      order by d.id limit $${after + 1}`,
    params: [...filter.params, afterDeviceId ?? '', limit, ...clause.params],
  };
}

// Devices of the fleet that a continuous rollout has not acted on yet (see RecordedFilter).
export function newcomerCountSelect(source: DeviceSource, companyId: string, bulkResponseId: string): SqlFragment {
  const filter = sourceFilter(source, companyId);
  const clause = recordedClause({ bulkResponseId, newcomers: true }, filter.params.length + 1);
  return {
    sql: `select count(*)::int as total from ${filter.sql}${clause.sql}`,
    params: [...filter.params, ...clause.params],
  };
}

export function deviceCountSelect(source: DeviceSource, companyId: string): SqlFragment {
  const filter = sourceFilter(source, companyId);
  return { sql: `select count(*)::int as total from ${filter.sql}`, params: filter.params };
}
