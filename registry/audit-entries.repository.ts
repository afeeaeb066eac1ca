import type { AuditActionName, AuditEntry, AuditObjectType } from '../contracts/audit.schema';
import type { RoleName } from '../contracts/auth.schema';
import type { Queryable } from './database';
import { newObjectId, objectIdPattern } from './object-id';
import { selectPage, selectRows, type PageRequest } from './pagination';

export interface NewAuditEntry {
  companyId: string;
  actor: { userId: string; email: string; role: RoleName };
  address: string;
  action: AuditActionName;
  method: string;
  path: string;
  object: { type: AuditObjectType; id: string | null };
  createdBulkResponseId?: string | undefined;
  request?: unknown;
  statusCode: number;
}

export interface AuditFilters {
  actor?: string | undefined;
  action?: AuditActionName | undefined;
  objectId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

// Append only: this file inserts and reads; nothing in the service updates or deletes an entry,
// and the registry refuses it (migration 009).
export async function appendAuditEntry(database: Queryable, entry: NewAuditEntry): Promise<string> {
  const id = newObjectId();
  await database.query(
    `insert into audit_entries (id, company_id, actor_user_id, actor_email, actor_role, address, action, method, path,
       object_type, object_id, created_bulk_response_id, request, status_code)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      id,
      entry.companyId,
      entry.actor.userId,
      entry.actor.email,
      entry.actor.role,
      entry.address,
      entry.action,
      entry.method,
      entry.path,
      entry.object.type,
      entry.object.id,
      entry.createdBulkResponseId ?? null,
      entry.request === undefined ? null : JSON.stringify(entry.request),
      entry.statusCode,
    ],
  );
  return id;
}

interface AuditRow {
  id: string;
  at: Date;
  actor_user_id: string;
  actor_email: string;
  actor_role: RoleName;
  address: string;
  action: AuditActionName;
  method: string;
  path: string;
  object_type: AuditObjectType;
  object_id: string | null;
  created_bulk_response_id: string | null;
  request: unknown;
  status_code: number;
}

const columns = `id, at, actor_user_id, actor_email, actor_role, address, action, method, path, object_type, object_id,
  created_bulk_response_id, request, status_code`;

// Conditions over the company's entries, numbered after $1 (the company).
function filterWhere(filters: AuditFilters): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const next = (value: unknown) => {
    params.push(value);
    return `$${params.length + 1}`;
  };
  // A user id or an email, each matched on its own index (an `or` of both would scan the trail).
  if (filters.actor !== undefined)
    clauses.push(
      objectIdPattern.test(filters.actor)
        ? `actor_user_id = ${next(filters.actor)}`
        : `actor_email = ${next(filters.actor.trim().toLowerCase())}`,
    );
  if (filters.action !== undefined) clauses.push(`action = ${next(filters.action)}`);
  if (filters.objectId !== undefined) {
    const objectId = next(filters.objectId);
    clauses.push(`(object_id = ${objectId} or created_bulk_response_id = ${objectId})`);
  }
  if (filters.since !== undefined) clauses.push(`at >= ${next(filters.since)}::timestamptz`);
  if (filters.until !== undefined) clauses.push(`at < ${next(filters.until)}::timestamptz`);
  return { sql: clauses.map((clause) => ` and ${clause}`).join(''), params };
}

export interface AuditPage {
  /** Only when asked for: counting a long trail costs more than reading a page of it. */
  total?: number;
  rows: AuditEntry[];
}

// Newest first; only the company's own entries, whatever the filters say.
export async function listAuditEntries(
  database: Queryable,
  companyId: string,
  filters: AuditFilters,
  page: PageRequest,
  { withTotal = true }: { withTotal?: boolean } = {},
): Promise<AuditPage> {
  const where = filterWhere(filters);
  const query = {
    columns,
    fromWhere: `from audit_entries where company_id = $1${where.sql}`,
    orderBy: 'at desc, id desc',
    params: [companyId, ...where.params],
  };
  if (!withTotal) return { rows: (await selectRows<AuditRow>(database, query, page)).map(presentAuditRow) };
  const result = await selectPage<AuditRow>(database, query, page);
  return { total: result.total, rows: result.rows.map(presentAuditRow) };
}

function presentAuditRow(row: AuditRow): AuditEntry {
  return {
    _id: row.id,
    at: new Date(row.at).toISOString(),
    actor: { user_id: row.actor_user_id, email: row.actor_email, role: row.actor_role },
    address: row.address,
    action: row.action,
    method: row.method,
    path: row.path,
    object: { type: row.object_type, id: row.object_id },
    ...(row.request === null ? {} : { request: row.request }),
    result: {
      status_code: row.status_code,
      ...(row.created_bulk_response_id === null ? {} : { bulk_response_id: row.created_bulk_response_id }),
    },
  };
}
