import type { Queryable } from './database';

export interface SerialDevice {
  id: string;
  unique_id: string;
  active: boolean;
  actions: Record<string, boolean>;
}

// The caller's devices among the given serials (unique_id, case-sensitive), with what their type
// supports; serials of other companies simply are not found.
export function findDevicesBySerials(
  database: Queryable,
  companyId: string,
  serials: readonly string[],
): Promise<SerialDevice[]> {
  return database.query<SerialDevice>(
    `select d.id, d.unique_id, d.active, coalesce(t.capabilities -> 'actions', '{}'::jsonb) as actions
       from devices d left join device_types t on t.id = d.device_type_id
      where d.company_id = $1 and d.unique_id = any($2::text[])`,
    [companyId, serials],
  );
}
