import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { RoleName as Role } from '../contracts/auth.schema';
import { createCompany, findCompanyByName } from './companies.repository';
import type { Database, Queryable } from './database';
import { createDemoContent, demoFleetNames } from './demo-content';
import { ensureDemoTemplates } from './demo-templates';
import { hashPassword } from './password-hashing';
import { createUser, findUserForLogin, updateUser } from './users.repository';

export const demoCompanyName = 'Demo';
const demoRoles: Role[] = ['admin', 'operator', 'viewer'];

const credentialsSchema = z.object({
  company_id: z.string(),
  users: z.array(z.object({ email: z.string(), password: z.string(), role: z.enum(['viewer', 'operator', 'admin']) })),
  fleets: z.array(z.object({ _id: z.string(), name: z.string() })),
});
export type DemoCredentials = z.infer<typeof credentialsSchema>;

// Idempotent: the first call creates the Demo company and its content; later calls create
// nothing but built-in action templates missing since, and keep the passwords saved in the
// credentials file. Only when that file is gone are new passwords generated and applied, since
// the stored hashes cannot be turned back into them.
export async function seedDemo(
  database: Database,
  options: { dataDir: string },
): Promise<{ credentialsPath: string; created: boolean }> {
  const credentialsPath = path.join(options.dataDir, 'demo-credentials.json');
  const saved = await readSavedCredentials(credentialsPath);
  const result = await database.transaction(async (transaction) => {
    const existing = await findCompanyByName(transaction, demoCompanyName);
    const companyId = existing?.id ?? (await createCompany(transaction, demoCompanyName)).id;
    const fleets = existing
      ? await demoFleets(transaction, companyId)
      : await createDemoContent(transaction, companyId);
    await ensureDemoTemplates(transaction, companyId);
    const users = await ensureDemoUsers(transaction, companyId, saved?.users ?? []);
    return { credentials: { company_id: companyId, users, fleets }, created: !existing };
  });
  await writeCredentials(credentialsPath, result.credentials);
  return { credentialsPath, created: result.created };
}

async function ensureDemoUsers(
  database: Queryable,
  companyId: string,
  savedUsers: DemoCredentials['users'],
): Promise<DemoCredentials['users']> {
  const users: DemoCredentials['users'] = [];
  for (const role of demoRoles) {
    const email = `${role}@demo.example.com`;
    const password = savedUsers.find((user) => user.email === email)?.password ?? randomBytes(18).toString('base64url');
    const existing = await findUserForLogin(database, email);
    if (existing && existing.company_id !== companyId) throw new Error(`${email} belongs to another company`);
    if (!existing) {
      await createUser(database, companyId, {
        email,
        passwordHash: await hashPassword(password),
        role,
        firstName: 'Demo',
        lastName: role,
      });
    } else if (
      !savedUsers.some((user) => user.email === email && user.password === password) ||
      existing.role !== role
    ) {
      await updateUser(database, existing.company_id, existing.id, {
        passwordHash: await hashPassword(password),
        role,
      });
    }
    users.push({ email, password, role });
  }
  return users;
}

async function demoFleets(database: Queryable, companyId: string): Promise<DemoCredentials['fleets']> {
  return database.query<{ _id: string; name: string }>(
    'select id as "_id", name from fleets where company_id = $1 and name = any($2::text[]) order by array_position($2::text[], name), id',
    [companyId, [...demoFleetNames]],
  );
}

async function readSavedCredentials(credentialsPath: string): Promise<DemoCredentials | undefined> {
  try {
    return credentialsSchema.parse(JSON.parse(await readFile(credentialsPath, 'utf8')));
  } catch {
    return undefined;
  }
}

async function writeCredentials(credentialsPath: string, credentials: DemoCredentials): Promise<void> {
  await mkdir(path.dirname(credentialsPath), { recursive: true });
  await writeFile(credentialsPath, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(credentialsPath, 0o600);
}
