import type { ComplianceDevice } from '../contracts/compliance.schema';
import type { FleetCriteria } from '../contracts/fleet.schema';
import type { Queryable } from './database';
import { fleetCriteriaWhere } from './fleet-criteria';
import { heartbeatStatus } from './heartbeat-status';
import { selectPage, selectRows, type PageRequest } from './pagination';

export interface ComplianceScope {
  companyId: string;
  settingId: string;
  /** The configuration's device types; empty: every type. */
  configurationDeviceTypeIds: string[];
  /** The fleet's criteria; undefined: every device of the company. */
  criteria: FleetCriteria | undefined;
}

export interface ComplianceCounts {
  latestVersion: number;
  versions: { version: number; devices: number }[];
  notApplicable: number;
}

// The version a device runs, from `devices.applied_settings` (setting id -> version); 0 for none.
const runningVersion = `case when jsonb_typeof(d.applied_settings -> $2::text) = 'number'
  then (d.applied_settings ->> $2::text)::numeric::int else 0 end`;
// A device the configuration can reach: its type is one the configuration lists (none listed:
// every type) and can receive configurations, as send_configuration's eligibility asks.
const applicable = `(cardinality($3::text[]) = 0 or d.device_type_id = any($3::text[]))
  and coalesce(t.capabilities -> 'actions' ->> 'send_config', '') = 'true'`;
const latestVersion = `(select coalesce(max(v.version), 0) from setting_versions v where v.setting_id = $2::text)`;

// `from devices d join device_types t ... where ...` over the scope's devices, with $1 company,
// $2 setting, $3 configuration device types, then the fleet's criteria. The setting's own clause
// also keeps $2 in every statement built on it: PostgreSQL refuses a parameter no clause types
// (a page's count has none of the version columns).
function scopeFromWhere(scope: ComplianceScope): { sql: string; params: unknown[] } {
  const criteria = fleetCriteriaWhere(scope.criteria ?? {}, 3);
  const settingOfCompany = 'exists (select 1 from settings s where s.id = $2::text and s.company_id = $1)';
  return {
    sql: `from devices d join device_types t on t.id = d.device_type_id
      where d.company_id = $1 and ${settingOfCompany} and ${criteria.sql}`,
    params: [scope.companyId, scope.settingId, scope.configurationDeviceTypeIds, ...criteria.params],
  };
}

// One query over the scope's devices: how many run each version, and how many the configuration
// cannot reach. The setting's latest version comes along, so an empty fleet still answers it.
export async function countSettingCompliance(database: Queryable, scope: ComplianceScope): Promise<ComplianceCounts> {
  const from = scopeFromWhere(scope);
  const rows = await database.query<{
    latest_version: number;
    version: number | null;
    applicable: boolean | null;
    devices: number;
  }>(
    `with scoped as (select ${runningVersion} as version, ${applicable} as applicable ${from.sql})
     select ${latestVersion} as latest_version, s.version, s.applicable, count(s.version)::int as devices
       from (select 1) as one left join scoped s on true
      group by s.version, s.applicable
      order by s.version desc nulls last`,
    from.params,
  );
  return {
    latestVersion: Number(rows[0]?.latest_version ?? 0),
    versions: rows
      .filter((row) => row.applicable === true)
      .map((row) => ({ version: Number(row.version), devices: Number(row.devices) })),
    notApplicable: rows.filter((row) => row.applicable === false).reduce((sum, row) => sum + Number(row.devices), 0),
  };
}

export interface ComplianceDeviceFilters {
  version?: number | undefined;
  notLatest?: boolean | undefined;
}

interface ComplianceDeviceRow extends Omit<ComplianceDevice, 'heartbeat_status'> {
  last_seen_at: Date | null;
  heartbeat_period: number;
}

// A page of the devices the summary counts, by serial (unique_id), optionally only one version or only
// those behind the latest.
export async function listComplianceDevices(
  database: Queryable,
  scope: ComplianceScope,
  filters: ComplianceDeviceFilters,
  page: PageRequest,
  { withTotal = true }: { withTotal?: boolean } = {},
): Promise<{ total?: number; rows: ComplianceDevice[] }> {
  const from = scopeFromWhere(scope);
  const params = [...from.params];
  const clauses = [applicable];
  if (filters.version !== undefined) {
    params.push(filters.version);
    clauses.push(`${runningVersion} = $${params.length}`);
  }
  if (filters.notLatest) clauses.push(`${runningVersion} <> ${latestVersion}`);
  const query = {
    columns: `d.id as "_id", d.unique_id, d.name, d.device_type_id, d.active, d.last_seen_at, d.heartbeat_period,
        ${runningVersion} as version`,
    fromWhere: `${from.sql} and ${clauses.join(' and ')}`,
    orderBy: 'd.unique_id',
    params,
  };
  // Without a total (no page_meta) the count of every matching device is not paid for.
  const result = withTotal
    ? await selectPage<ComplianceDeviceRow>(database, query, page)
    : { total: undefined, rows: await selectRows<ComplianceDeviceRow>(database, query, page) };
  const now = new Date();
  return {
    ...(result.total === undefined ? {} : { total: result.total }),
    rows: result.rows.map(({ last_seen_at, heartbeat_period, ...device }) => ({
      ...device,
      version: Number(device.version),
      heartbeat_status: heartbeatStatus(last_seen_at, heartbeat_period, now),
    })),
  };
}
