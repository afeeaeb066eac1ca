import { readFileSync } from 'node:fs';
import type { Express } from 'express';
import request from 'supertest';
import type { Database } from '../../registry/database';
import { seedDemo, type DemoCredentials } from '../../registry/demo-seed';

export interface DemoSession {
  credentials: DemoCredentials;
  tokens: Record<'admin' | 'operator' | 'viewer', string>;
  fleetId(name: string): string;
}

// Seeds the demo company and logs its users in through the real authenticate endpoint, the way
// the README tells a new user to.
export async function openDemoSession(app: Express, database: Database, dataDir: string): Promise<DemoSession> {
  const { credentialsPath } = await seedDemo(database, { dataDir });
  const credentials = JSON.parse(readFileSync(credentialsPath, 'utf8')) as DemoCredentials;
  const tokens = {} as DemoSession['tokens'];
  for (const user of credentials.users) {
    const response = await request(app)
      .post('/api/v1/platform/user/authenticate')
      .send({ email: user.email, password: user.password })
      .expect(200);
    tokens[user.role] = (response.body as { session_token: string }).session_token;
  }
  return {
    credentials,
    tokens,
    fleetId: (name) => {
      const fleet = credentials.fleets.find((candidate) => candidate.name === name);
      if (!fleet) throw new Error(`demo fleet ${name} not found`);
      return fleet._id;
    },
  };
}
