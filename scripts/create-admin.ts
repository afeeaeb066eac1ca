import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config';
import { createCompany, findCompanyByName } from '../registry/companies.repository';
import { hashPassword } from '../registry/password-hashing';
import { createUser, findUserForLogin } from '../registry/users.repository';
import { openRegistryForCli } from './registry-cli';

const usage = 'Usage: npm run create-admin -- --company <name> --email <email> [--password <password>]';

// Creates a company (or reuses one of that name) and its first admin. Without --password a
// strong one is generated and printed once.
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { company: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' } },
  });
  if (!values.company || !values.email) throw new Error(usage);
  if (values.password !== undefined && values.password.length < 12)
    throw new Error('The password must have at least 12 characters.');
  const password = values.password ?? randomBytes(18).toString('base64url');
  const database = await openRegistryForCli(loadConfig());
  try {
    const user = await database.transaction(async (transaction) => {
      if (await findUserForLogin(transaction, values.email!)) throw new Error(`A user ${values.email} already exists.`);
      const company =
        (await findCompanyByName(transaction, values.company!)) ?? (await createCompany(transaction, values.company!));
      return createUser(transaction, company.id, {
        email: values.email!,
        passwordHash: await hashPassword(password),
        role: 'admin',
      });
    });
    console.log(`Admin ${user.email} created in company ${values.company} (company_id ${user.company_id}).`);
    if (values.password === undefined) console.log(`Generated password (shown once): ${password}`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
