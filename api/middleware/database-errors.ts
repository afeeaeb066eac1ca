import { HttpError } from '../errors';

// Unique constraints the API can break, and the request field each one is about.
const uniqueFields: Record<string, string> = {
  devices_company_id_unique_id_key: 'unique_id',
  users_email_key: 'email',
  companies_name_key: 'name',
  action_templates_company_id_name_key: 'name',
};

// Constraint violations are a client's conflict, not a server fault: 409 naming the field,
// without the SQL message (which would leak table and constraint names).
export function databaseConflict(error: unknown): HttpError | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const constraint = 'constraint' in error && typeof error.constraint === 'string' ? error.constraint : '';
  if (error.code === '23505') {
    const field = uniqueFields[constraint];
    return new HttpError(409, 'Conflict: already exists', field ? [{ field, message: 'already taken' }] : undefined);
  }
  if (error.code === '23503') return new HttpError(409, 'Conflict: the object is referenced by other objects');
  return undefined;
}
