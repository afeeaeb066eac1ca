import type { CreateActionTemplate, UpdateActionTemplate } from '../contracts/action-template.schema';
import type { Queryable } from './database';
import { newObjectId } from './object-id';
import { selectPage, type PageRequest, type PageResult } from './pagination';

export interface ActionTemplateRecord {
  _id: string;
  company_id: string;
  name: string;
  description?: string;
  body: Record<string, unknown>;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

type ActionTemplateRow = Omit<ActionTemplateRecord, 'description'> & { description: string | null };

const columns = 'id as "_id", company_id, name, description, body, created_by, created_at, updated_at';

// A template without a description answers without the field, as the contract shows it optional.
function present(row: ActionTemplateRow): ActionTemplateRecord {
  const { description, ...rest } = row;
  return description === null ? rest : { ...rest, description };
}

export async function createActionTemplate(
  database: Queryable,
  companyId: string,
  createdBy: string | null,
  body: CreateActionTemplate,
): Promise<ActionTemplateRecord> {
  const rows = await database.query<ActionTemplateRow>(
    `insert into action_templates (id, company_id, name, description, body, created_by)
     values ($1, $2, $3, $4, $5, $6) returning ${columns}`,
    [newObjectId(), companyId, body.name, body.description ?? null, JSON.stringify(body.body), createdBy],
  );
  return present(rows[0]!);
}

export async function getActionTemplate(
  database: Queryable,
  companyId: string,
  id: string,
): Promise<ActionTemplateRecord | undefined> {
  const rows = await database.query<ActionTemplateRow>(
    `select ${columns} from action_templates where company_id = $1 and id = $2`,
    [companyId, id],
  );
  return rows[0] && present(rows[0]);
}

export async function findActionTemplateByName(
  database: Queryable,
  companyId: string,
  name: string,
): Promise<ActionTemplateRecord | undefined> {
  const rows = await database.query<ActionTemplateRow>(
    `select ${columns} from action_templates where company_id = $1 and name = $2`,
    [companyId, name],
  );
  return rows[0] && present(rows[0]);
}

export async function listActionTemplates(
  database: Queryable,
  companyId: string,
  page: PageRequest,
): Promise<PageResult<ActionTemplateRecord>> {
  const result = await selectPage<ActionTemplateRow>(
    database,
    { columns, fromWhere: 'from action_templates where company_id = $1', orderBy: 'name, id', params: [companyId] },
    page,
  );
  return { total: result.total, rows: result.rows.map(present) };
}

export async function updateActionTemplate(
  database: Queryable,
  companyId: string,
  id: string,
  changes: UpdateActionTemplate,
): Promise<ActionTemplateRecord | undefined> {
  const rows = await database.query<ActionTemplateRow>(
    `update action_templates set name = coalesce($3, name), description = coalesce($4, description),
       body = coalesce($5::jsonb, body), updated_at = now()
     where company_id = $1 and id = $2 returning ${columns}`,
    [
      companyId,
      id,
      changes.name ?? null,
      changes.description ?? null,
      changes.body === undefined ? null : JSON.stringify(changes.body),
    ],
  );
  return rows[0] && present(rows[0]);
}

export async function deleteActionTemplate(database: Queryable, companyId: string, id: string): Promise<boolean> {
  const rows = await database.query('delete from action_templates where company_id = $1 and id = $2 returning id', [
    companyId,
    id,
  ]);
  return rows.length > 0;
}
