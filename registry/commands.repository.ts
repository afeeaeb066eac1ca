import type { CreateCommand, UpdateCommand } from '../contracts/command.schema';
import type { Queryable } from './database';
import { newObjectId } from './object-id';
import { selectPage, type PageRequest, type PageResult } from './pagination';

export interface CommandRecord {
  _id: string;
  company_id: string;
  name: string;
  device_type_ids: string[];
  payload: Record<string, unknown>;
  options: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id as "_id", company_id, name, device_type_ids, payload, options, created_at, updated_at';

export async function createCommand(
  database: Queryable,
  companyId: string,
  body: CreateCommand,
): Promise<CommandRecord> {
  const rows = await database.query<CommandRecord>(
    `insert into commands (id, company_id, name, device_type_ids, payload, options)
     values ($1, $2, $3, $4::text[], $5, $6) returning ${columns}`,
    [
      newObjectId(),
      companyId,
      body.name,
      body.device_type_ids ?? [],
      JSON.stringify(body.payload ?? {}),
      JSON.stringify(body.options ?? {}),
    ],
  );
  return rows[0]!;
}

export async function getCommand(
  database: Queryable,
  companyId: string,
  id: string,
): Promise<CommandRecord | undefined> {
  const rows = await database.query<CommandRecord>(
    `select ${columns} from commands where company_id = $1 and id = $2`,
    [companyId, id],
  );
  return rows[0];
}

export function listCommands(
  database: Queryable,
  companyId: string,
  page: PageRequest,
): Promise<PageResult<CommandRecord>> {
  return selectPage(
    database,
    { columns, fromWhere: 'from commands where company_id = $1', orderBy: 'id', params: [companyId] },
    page,
  );
}

export async function updateCommand(
  database: Queryable,
  companyId: string,
  id: string,
  body: UpdateCommand,
): Promise<CommandRecord | undefined> {
  const rows = await database.query<CommandRecord>(
    `update commands set name = coalesce($3, name), device_type_ids = coalesce($4::text[], device_type_ids),
       payload = coalesce($5::jsonb, payload), options = coalesce($6::jsonb, options), updated_at = now()
     where company_id = $1 and id = $2 returning ${columns}`,
    [
      companyId,
      id,
      body.name ?? null,
      body.device_type_ids ?? null,
      body.payload ? JSON.stringify(body.payload) : null,
      body.options ? JSON.stringify(body.options) : null,
    ],
  );
  return rows[0];
}

export async function deleteCommand(database: Queryable, companyId: string, id: string): Promise<boolean> {
  const rows = await database.query('delete from commands where company_id = $1 and id = $2 returning id', [
    companyId,
    id,
  ]);
  return rows.length > 0;
}
