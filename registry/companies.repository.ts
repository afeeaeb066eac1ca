import type { Queryable } from './database';
import { newObjectId } from './object-id';

export interface CompanyRow {
  id: string;
  name: string;
  created_at: Date;
}

export async function createCompany(database: Queryable, name: string): Promise<CompanyRow> {
  const rows = await database.query<CompanyRow>(
    'insert into companies (id, name) values ($1, $2) returning id, name, created_at',
    [newObjectId(), name],
  );
  return rows[0]!;
}

export async function findCompanyByName(database: Queryable, name: string): Promise<CompanyRow | undefined> {
  const rows = await database.query<CompanyRow>('select id, name, created_at from companies where name = $1', [name]);
  return rows[0];
}

export async function getCompany(database: Queryable, companyId: string): Promise<CompanyRow | undefined> {
  const rows = await database.query<CompanyRow>('select id, name, created_at from companies where id = $1', [
    companyId,
  ]);
  return rows[0];
}

export async function renameCompany(
  database: Queryable,
  companyId: string,
  name: string,
): Promise<CompanyRow | undefined> {
  const rows = await database.query<CompanyRow>(
    'update companies set name = $2 where id = $1 returning id, name, created_at',
    [companyId, name],
  );
  return rows[0];
}
