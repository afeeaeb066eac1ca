import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { issueSessionToken } from '../../api/auth/token-issuer';
import { ConflictError } from '../../api/errors';
import { assertAdminRemains } from '../../api/services/admin-safeguards.service';
import { hashPassword } from '../../registry/password-hashing';
import { createUser } from '../../registry/users.repository';
import { openApiFixture, testPassword, type ApiFixture, type TestCompany } from './api-fixture';

const users = '/api/v1/platform/users';

// A company must always keep an admin, and a session alone must not be able to set a password
// nobody knows (issue 19 item 6).
describe('admin safeguards on the users API', () => {
  let fixture: ApiFixture;
  let company: TestCompany;

  before(async () => {
    fixture = await openApiFixture();
    company = await fixture.createCompanyWithUsers('Guarded');
  });
  after(() => fixture.close());

  const as = (token: string) => ({
    patch: (id: string, body: object) =>
      request(fixture.app).patch(`${users}/${id}`).set('Authorization', token).send(body),
    remove: (id: string) => request(fixture.app).delete(`${users}/${id}`).set('Authorization', token),
  });
  const secondAdmin = async (email: string) => {
    const user = await createUser(fixture.database, company.companyId, {
      email,
      passwordHash: await hashPassword(testPassword),
      role: 'admin',
    });
    return { id: user.id, token: (await issueSessionToken(fixture.database, user.id)).token };
  };

  it('when an admin deletes or demotes themselves, then it answers 409 and nothing changes', async () => {
    const admin = as(company.tokens.admin);
    const deleted = await admin.remove(company.userIds.admin);
    assert.equal(deleted.status, 409);
    assert.match((deleted.body as { error: string }).error, /cannot delete yourself/);
    const demoted = await admin.patch(company.userIds.admin, { role: 'operator' });
    assert.equal(demoted.status, 409);
    const me = await request(fixture.app).get('/api/v1/platform/me').set('Authorization', company.tokens.admin);
    assert.equal((me.body as { role: string }).role, 'admin');
  });

  it('when an admin changes their own password without the current one, then it answers 400 naming current_password', async () => {
    const answer = await as(company.tokens.admin).patch(company.userIds.admin, { password: 'a new long password!' });
    assert.equal(answer.status, 400);
    assert.equal((answer.body as { details: { field: string }[] }).details[0]?.field, 'current_password');
    const wrong = await as(company.tokens.admin).patch(company.userIds.admin, {
      password: 'a new long password!',
      current_password: 'not my password',
    });
    assert.equal(wrong.status, 403);
    const login = await request(fixture.app)
      .post('/api/v1/platform/user/authenticate')
      .send({ email: 'admin@guarded.example.com', password: testPassword });
    assert.equal(login.status, 200, 'the password is unchanged');
  });

  it('when an admin changes their own password with the current one, then it changes and their sessions end', async () => {
    const { token } = await issueSessionToken(fixture.database, company.userIds.admin);
    const answer = await as(token).patch(company.userIds.admin, {
      password: 'a new long password!',
      current_password: testPassword,
    });
    assert.equal(answer.status, 200, answer.text);
    const after = await request(fixture.app).get('/api/v1/platform/me').set('Authorization', token);
    assert.equal(after.status, 401);
    const login = await request(fixture.app)
      .post('/api/v1/platform/user/authenticate')
      .send({ email: 'admin@guarded.example.com', password: 'a new long password!' });
    assert.equal(login.status, 200);
  });
  it('when two admins demote each other at once, then one change lands and the company keeps an admin', async () => {
    const other = await secondAdmin('second.admin@guarded.example.com');
    // A new session: the password test above ended the fixture's.
    const { token } = await issueSessionToken(fixture.database, company.userIds.admin);
    const [first, second] = await Promise.all([
      as(token).patch(other.id, { role: 'viewer' }),
      as(other.token).patch(company.userIds.admin, { role: 'viewer' }),
    ]);
    // The loser is refused by its role check (403) if the winner's change was visible when it was
    // authenticated, else by the locked count of admins (409).
    const statuses = [first.status, second.status].sort();
    assert.equal(statuses[0], 200, JSON.stringify([first.body, second.body]));
    assert.ok([403, 409].includes(statuses[1]!), JSON.stringify([first.body, second.body]));
    const admins = await fixture.database.query<{ id: string }>(
      `select id from users where company_id = $1 and role = 'admin'`,
      [company.companyId],
    );
    assert.equal(admins.length, 1);
  });

  it('when a caller still seen as admin removes the last admin, then the locked count refuses it with 409', async () => {
    const [admin] = await fixture.database.query<{ id: string }>(
      `select id from users where company_id = $1 and role = 'admin'`,
      [company.companyId],
    );
    const staleCaller = {
      userId: company.userIds.viewer,
      companyId: company.companyId,
      role: 'admin' as const,
      email: 'x',
    };
    for (const change of ['delete', { role: 'operator' as const }] as const)
      await assert.rejects(
        fixture.database.transaction((transaction) => assertAdminRemains(transaction, staleCaller, admin!.id, change)),
        (error: Error) => error instanceof ConflictError && /last admin/.test(error.message),
      );
  });
});
