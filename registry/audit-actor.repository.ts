import type { RoleName } from '../contracts/auth.schema';
import type { Queryable } from './database';
import { normaliseEmail } from './users.repository';

// Who an audit entry names when the request carried no token: the account a login named, or the
// owner of a refresh token that was just used. Undefined for an unknown account.
export interface AuditActorRecord {
  userId: string;
  companyId: string;
  email: string;
  role: RoleName;
}

export async function findAuditActor(
  database: Queryable,
  by: { userId: string } | { email: string },
): Promise<AuditActorRecord | undefined> {
  const [column, value] = 'userId' in by ? ['id', by.userId] : ['email', normaliseEmail(by.email)];
  const rows = await database.query<AuditActorRecord>(
    `select id as "userId", company_id as "companyId", email, role from users where ${column} = $1`,
    [value],
  );
  return rows[0];
}
