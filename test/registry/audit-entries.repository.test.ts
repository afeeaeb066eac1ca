import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appendAuditEntry, listAuditEntries, type NewAuditEntry } from '../../registry/audit-entries.repository';
import { createCompany } from '../../registry/companies.repository';
import type { Database } from '../../registry/database';
import { splitStatements } from '../../registry/migrate';
import { newObjectId } from '../../registry/object-id';
import { openTestDatabase } from '../support/test-database';

const everything = { page: 1, perPage: 100 };

describe('audit entries repository (real registry)', () => {
  let database: Database;
  let acme: string;
  let globex: string;
  const bulkResponseId = newObjectId();
  const adminUserId = newObjectId();

  const entry = (companyId: string, changes: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
    companyId,
    actor: { userId: newObjectId(), email: 'operator@acme.example.com', role: 'operator' },
    address: '127.0.0.1',
    action: 'bulk_response.pause',
    method: 'POST',
    path: `/api/v1/platform/bulk_responses/${bulkResponseId}/pause`,
    object: { type: 'bulk_response', id: bulkResponseId },
    statusCode: 202,
    ...changes,
  });

  before(async () => {
    database = await openTestDatabase();
    acme = (await createCompany(database, 'Acme')).id;
    globex = (await createCompany(database, 'Globex')).id;
    await appendAuditEntry(database, entry(acme));
    await appendAuditEntry(database, entry(acme, { action: 'bulk_response.resume', statusCode: 409 }));
    await appendAuditEntry(
      database,
      entry(acme, {
        action: 'bulk_response.retry',
        object: { type: 'bulk_response', id: newObjectId() },
        createdBulkResponseId: bulkResponseId,
        actor: { userId: adminUserId, email: 'admin@acme.example.com', role: 'admin' },
        request: { statuses: ['fail'] },
      }),
    );
    await appendAuditEntry(database, entry(globex));
  });
  after(() => database?.close());

  it("when a company's entries are listed, then they come newest first with another company's left out", async () => {
    const listed = await listAuditEntries(database, acme, {}, everything);
    assert.equal(listed.total, 3);
    assert.deepEqual(
      listed.rows.map((row) => row.action),
      ['bulk_response.retry', 'bulk_response.resume', 'bulk_response.pause'],
    );
    assert.deepEqual(listed.rows[0]?.request, { statuses: ['fail'] });
    assert.deepEqual(listed.rows[0]?.result, { status_code: 202, bulk_response_id: bulkResponseId });
    assert.equal((await listAuditEntries(database, globex, {}, everything)).total, 1);
  });

  it('when filtered by actor email or id, action, object and time, then only matching entries come back', async () => {
    const count = async (filters: Parameters<typeof listAuditEntries>[2]) =>
      (await listAuditEntries(database, acme, filters, everything)).total;
    assert.equal(await count({ actor: 'ADMIN@acme.example.com' }), 1);
    assert.equal(await count({ actor: adminUserId }), 1);
    assert.equal(await count({ action: 'bulk_response.resume' }), 1);
    // The object itself, or the bulk response a retry created.
    assert.equal(await count({ objectId: bulkResponseId }), 3);
    assert.equal(await count({ since: new Date(Date.now() - 60_000) }), 3);
    assert.equal(await count({ until: new Date(Date.now() - 60_000) }), 0);
  });

  it('when an entry is updated, deleted or the table truncated, then the registry refuses it', async () => {
    const refusals = [
      "update audit_entries set status_code = 200 where action = 'bulk_response.resume'",
      'delete from audit_entries',
      'truncate audit_entries',
    ];
    for (const statement of refusals) {
      await assert.rejects(database.query(statement), /append-only/, statement);
    }
    assert.equal((await listAuditEntries(database, acme, {}, everything)).total, 3);
  });

  it('when a company is deleted, then its entries go with it and no other company loses any', async () => {
    await database.query('delete from companies where id = $1', [globex]);
    const rows = await database.query<{ company_id: string }>('select company_id from audit_entries');
    assert.deepEqual(new Set(rows.map((row) => row.company_id)), new Set([acme]));
  });

  it('when a migration holds a function body with semicolons, then it is one statement', () => {
    const sql = `-- comment\ncreate table t (a int);\ncreate function f() returns trigger language plpgsql as $$\nbegin\n  raise exception 'x';\nend\n$$;\ncreate index i on t (a);\n`;
    assert.deepEqual(
      splitStatements(sql).map((statement) => statement.split('\n')[0]),
      [
        'create table t (a int)',
        'create function f() returns trigger language plpgsql as $$',
        'create index i on t (a)',
      ],
    );
  });
});
