import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import { pino } from 'pino';
import { createApp, type AppOptions } from '../../api/app';
import type { Role } from '../../api/caller';
import { issueSessionToken } from '../../api/auth/token-issuer';
import { loadConfig } from '../../config/config';
import { createCompany } from '../../registry/companies.repository';
import type { Database } from '../../registry/database';
import { hashPassword } from '../../registry/password-hashing';
import { createUser } from '../../registry/users.repository';
import { openTestDatabase } from '../support/test-database';

export interface TestCompany {
  companyId: string;
  tokens: Record<Role, string>;
  userIds: Record<Role, string>;
}

export interface ApiFixture {
  app: Express;
  database: Database;
  createCompanyWithUsers(name: string): Promise<TestCompany>;
  close(): Promise<void>;
}

export const testPassword = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

// A real registry and the real app; the Temporal client is a stub because these tests never
// reach the engine's routes. Tokens are issued directly so only login tests pay for argon2.
export async function openApiFixture(options: AppOptions = {}): Promise<ApiFixture> {
  const database = await openTestDatabase();
  const app = createApp(
    {
      config: loadConfig({}),
      database,
      temporal: {} as unknown as Client,
      logger: pino({ level: 'silent' }),
    },
    options,
  );
  passwordHash ??= hashPassword(testPassword);
  const createCompanyWithUsers = async (name: string): Promise<TestCompany> => {
    const company = await createCompany(database, name);
    const tokens = {} as Record<Role, string>;
    const userIds = {} as Record<Role, string>;
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const user = await createUser(database, company.id, {
        email: `${role}@${name.toLowerCase()}.example.com`,
        passwordHash: await passwordHash!,
        role,
      });
      userIds[role] = user.id;
      tokens[role] = (await issueSessionToken(database, user.id)).token;
    }
    return { companyId: company.id, tokens, userIds };
  };
  return { app, database, createCompanyWithUsers, close: () => database.close() };
}
