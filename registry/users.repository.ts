import type { RoleName as Role } from '../contracts/auth.schema';
import type { Queryable } from './database';
import { newObjectId } from './object-id';
import { selectPage, type PageRequest, type PageResult } from './pagination';

export interface UserRow {
  id: string;
  company_id: string;
  email: string;
  role: Role;
  first_name: string;
  last_name: string;
  created_at: Date;
  updated_at: Date;
}

export interface UserWithHash extends UserRow {
  password_hash: string;
}

export interface NewUser {
  email: string;
  passwordHash: string;
  role: Role;
  firstName?: string | undefined;
  lastName?: string | undefined;
}

export interface UserChanges {
  email?: string | undefined;
  passwordHash?: string | undefined;
  role?: Role | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
}

const userColumns = 'id, company_id, email, role, first_name, last_name, created_at, updated_at';

// Emails are compared lower-cased: people type them with arbitrary capitals.
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createUser(database: Queryable, companyId: string, user: NewUser): Promise<UserRow> {
  const rows = await database.query<UserRow>(
    `insert into users (id, company_id, email, password_hash, role, first_name, last_name)
     values ($1, $2, $3, $4, $5, $6, $7) returning ${userColumns}`,
    [
      newObjectId(),
      companyId,
      normaliseEmail(user.email),
      user.passwordHash,
      user.role,
      user.firstName ?? '',
      user.lastName ?? '',
    ],
  );
  return rows[0]!;
}

export async function findUserForLogin(database: Queryable, email: string): Promise<UserWithHash | undefined> {
  const rows = await database.query<UserWithHash>(`select ${userColumns}, password_hash from users where email = $1`, [
    normaliseEmail(email),
  ]);
  return rows[0];
}

export async function getUser(database: Queryable, companyId: string, userId: string): Promise<UserRow | undefined> {
  const rows = await database.query<UserRow>(`select ${userColumns} from users where company_id = $1 and id = $2`, [
    companyId,
    userId,
  ]);
  return rows[0];
}

export function listUsers(database: Queryable, companyId: string, page: PageRequest): Promise<PageResult<UserRow>> {
  return selectPage<UserRow>(
    database,
    { columns: userColumns, fromWhere: 'from users where company_id = $1', orderBy: 'id', params: [companyId] },
    page,
  );
}

export async function updateUser(
  database: Queryable,
  companyId: string,
  userId: string,
  changes: UserChanges,
): Promise<UserRow | undefined> {
  const rows = await database.query<UserRow>(
    `update users set email = coalesce($3, email), password_hash = coalesce($4, password_hash), role = coalesce($5, role),
       first_name = coalesce($6, first_name), last_name = coalesce($7, last_name), updated_at = now()
     where company_id = $1 and id = $2 returning ${userColumns}`,
    [
      companyId,
      userId,
      changes.email === undefined ? null : normaliseEmail(changes.email),
      changes.passwordHash ?? null,
      changes.role ?? null,
      changes.firstName ?? null,
      changes.lastName ?? null,
    ],
  );
  return rows[0];
}

export async function deleteUser(database: Queryable, companyId: string, userId: string): Promise<boolean> {
  const rows = await database.query('delete from users where company_id = $1 and id = $2 returning id', [
    companyId,
    userId,
  ]);
  return rows.length > 0;
}

/** The company's admins, locked until the transaction ends: two admins demoting or deleting each
 * other at once are serialized, and the second sees what the first left. */
export async function lockCompanyAdmins(database: Queryable, companyId: string): Promise<string[]> {
  const rows = await database.query<{ id: string }>(
    `select id from users where company_id = $1 and role = 'admin' order by id for update`,
    [companyId],
  );
  return rows.map((row) => row.id);
}

export async function passwordHashOf(
  database: Queryable,
  companyId: string,
  userId: string,
): Promise<string | undefined> {
  const rows = await database.query<{ password_hash: string }>(
    'select password_hash from users where company_id = $1 and id = $2',
    [companyId, userId],
  );
  return rows[0]?.password_hash;
}
