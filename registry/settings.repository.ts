import type { CreateSetting, UpdateSetting } from '../contracts/configuration.schema';
import type { Queryable } from './database';
import { newObjectId } from './object-id';
import { selectPage, type PageRequest, type PageResult } from './pagination';

export interface SettingRecord {
  _id: string;
  company_id: string;
  configuration_id: string;
  name: string;
  latest_version: number;
  // The latest version's values, for readers who do not care about history.
  values: Record<string, unknown>;
  versions: { version: number; values: Record<string, unknown>; created_at: string }[];
  created_at: Date;
  updated_at: Date;
}

const columns = `s.id as "_id", s.company_id, s.configuration_id, s.name,
  coalesce((select max(v.version) from setting_versions v where v.setting_id = s.id), 0) as latest_version,
  coalesce((select v."values" from setting_versions v where v.setting_id = s.id order by v.version desc limit 1), '{}'::jsonb) as "values",
  coalesce((select jsonb_agg(jsonb_build_object('version', v.version, 'values', v."values", 'created_at', v.created_at) order by v.version)
    from setting_versions v where v.setting_id = s.id), '[]'::jsonb) as versions,
  s.created_at, s.updated_at`;

// Versions are immutable and numbered 1, 2, ... per setting.
export async function addSettingVersion(
  database: Queryable,
  settingId: string,
  values: Record<string, unknown>,
): Promise<number> {
  const rows = await database.query<{ version: number }>(
    `insert into setting_versions (setting_id, version, "values")
     select $1, coalesce(max(version), 0) + 1, $2 from setting_versions where setting_id = $1 returning version`,
    [settingId, JSON.stringify(values)],
  );
  return rows[0]!.version;
}

export async function createSetting(
  database: Queryable,
  companyId: string,
  body: CreateSetting,
): Promise<SettingRecord> {
  const id = newObjectId();
  await database.query('insert into settings (id, company_id, configuration_id, name) values ($1, $2, $3, $4)', [
    id,
    companyId,
    body.configuration_id,
    body.name,
  ]);
  if (body.values) await addSettingVersion(database, id, body.values);
  return (await getSetting(database, companyId, id))!;
}

export async function getSetting(
  database: Queryable,
  companyId: string,
  id: string,
): Promise<SettingRecord | undefined> {
  const rows = await database.query<SettingRecord>(
    `select ${columns} from settings s where s.company_id = $1 and s.id = $2`,
    [companyId, id],
  );
  return rows[0];
}

export function listSettings(
  database: Queryable,
  companyId: string,
  page: PageRequest,
  configurationId?: string,
): Promise<PageResult<SettingRecord>> {
  const byConfiguration = configurationId === undefined ? '' : ' and s.configuration_id = $2';
  const params = configurationId === undefined ? [companyId] : [companyId, configurationId];
  return selectPage(
    database,
    { columns, fromWhere: `from settings s where s.company_id = $1${byConfiguration}`, orderBy: 's.id', params },
    page,
  );
}

export async function updateSetting(
  database: Queryable,
  companyId: string,
  id: string,
  body: UpdateSetting,
): Promise<SettingRecord | undefined> {
  const rows = await database.query<{ id: string }>(
    'update settings set name = coalesce($3, name), updated_at = now() where company_id = $1 and id = $2 returning id',
    [companyId, id, body.name ?? null],
  );
  if (rows.length === 0) return undefined;
  if (body.values) await addSettingVersion(database, id, body.values);
  return getSetting(database, companyId, id);
}

export async function deleteSetting(database: Queryable, companyId: string, id: string): Promise<boolean> {
  const rows = await database.query('delete from settings where company_id = $1 and id = $2 returning id', [
    companyId,
    id,
  ]);
  return rows.length > 0;
}
