import type { CreateConfiguration, UpdateConfiguration } from '../contracts/configuration.schema';
import type { Queryable } from './database';
import { newObjectId } from './object-id';
import { selectPage, type PageRequest, type PageResult } from './pagination';

export interface ConfigurationRecord {
  _id: string;
  company_id: string;
  name: string;
  device_type_ids: string[];
  created_at: Date;
  updated_at: Date;
}

const columns = 'id as "_id", company_id, name, device_type_ids, created_at, updated_at';

export async function createConfiguration(
  database: Queryable,
  companyId: string,
  body: CreateConfiguration,
): Promise<ConfigurationRecord> {
  const rows = await database.query<ConfigurationRecord>(
    `insert into configurations (id, company_id, name, device_type_ids) values ($1, $2, $3, $4::text[]) returning ${columns}`,
    [newObjectId(), companyId, body.name, body.device_type_ids ?? []],
  );
  return rows[0]!;
}

export async function getConfiguration(
  database: Queryable,
  companyId: string,
  id: string,
): Promise<ConfigurationRecord | undefined> {
  const rows = await database.query<ConfigurationRecord>(
    `select ${columns} from configurations where company_id = $1 and id = $2`,
    [companyId, id],
  );
  return rows[0];
}

export function listConfigurations(
  database: Queryable,
  companyId: string,
  page: PageRequest,
): Promise<PageResult<ConfigurationRecord>> {
  return selectPage(
    database,
    { columns, fromWhere: 'from configurations where company_id = $1', orderBy: 'id', params: [companyId] },
    page,
  );
}

export async function updateConfiguration(
  database: Queryable,
  companyId: string,
  id: string,
  body: UpdateConfiguration,
): Promise<ConfigurationRecord | undefined> {
  const rows = await database.query<ConfigurationRecord>(
    `update configurations set name = coalesce($3, name), device_type_ids = coalesce($4::text[], device_type_ids), updated_at = now()
     where company_id = $1 and id = $2 returning ${columns}`,
    [companyId, id, body.name ?? null, body.device_type_ids ?? null],
  );
  return rows[0];
}

export async function deleteConfiguration(database: Queryable, companyId: string, id: string): Promise<boolean> {
  const rows = await database.query('delete from configurations where company_id = $1 and id = $2 returning id', [
    companyId,
    id,
  ]);
  return rows.length > 0;
}
