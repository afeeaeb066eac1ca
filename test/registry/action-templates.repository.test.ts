import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createActionTemplate,
  deleteActionTemplate,
  findActionTemplateByName,
  getActionTemplate,
  listActionTemplates,
  updateActionTemplate,
} from '../../registry/action-templates.repository';
import { createCompany } from '../../registry/companies.repository';
import type { Database } from '../../registry/database';
import { openTestDatabase } from '../support/test-database';

describe('action templates repository (real registry)', () => {
  let database: Database;
  let acme: string;
  let globex: string;
  const reboot = { action: 'issue_command', gateway_command: 'reboot', rollout: { canary: { percent: 1 } } };

  before(async () => {
    database = await openTestDatabase();
    acme = (await createCompany(database, 'Acme')).id;
    globex = (await createCompany(database, 'Globex')).id;
  });
  after(() => database?.close());

  it('when a template is saved, then its body comes back exactly as sent, without defaults added', async () => {
    const created = await createActionTemplate(database, acme, null, { name: 'Reboot', body: reboot });
    assert.deepEqual(created.body, reboot);
    assert.equal('description' in created, false);
    assert.deepEqual((await getActionTemplate(database, acme, created._id))?.body, reboot);
    assert.equal(await getActionTemplate(database, globex, created._id), undefined);
  });

  it('when two templates of a company share a name, then the registry refuses the second; another company may use it', async () => {
    await createActionTemplate(database, acme, null, { name: 'Tags', body: { action: 'add_tags', tags: ['a'] } });
    await assert.rejects(
      createActionTemplate(database, acme, null, { name: 'Tags', body: { action: 'add_tags', tags: ['b'] } }),
      (error: { code?: string; constraint?: string }) =>
        error.code === '23505' && error.constraint === 'action_templates_company_id_name_key',
    );
    const theirs = await createActionTemplate(database, globex, null, { name: 'Tags', body: reboot });
    assert.equal((await findActionTemplateByName(database, globex, 'Tags'))?._id, theirs._id);
  });

  it('when a template is updated, then the fields given change and a new body replaces the old whole', async () => {
    const template = await findActionTemplateByName(database, acme, 'Tags');
    const described = await updateActionTemplate(database, acme, template!._id, { description: 'Spring tags' });
    assert.deepEqual(
      [described?.name, described?.description, described?.body],
      ['Tags', 'Spring tags', template!.body],
    );
    const replaced = await updateActionTemplate(database, acme, template!._id, {
      body: { action: 'add_tags', tags: ['c'] },
    });
    assert.deepEqual(replaced?.body, { action: 'add_tags', tags: ['c'] });
    assert.equal(await updateActionTemplate(database, globex, template!._id, { name: 'Mine' }), undefined);
  });

  it("when a company's templates are listed and one deleted, then only its own appear, by name", async () => {
    const listed = await listActionTemplates(database, acme, { page: 1, perPage: 10 });
    assert.deepEqual(
      listed.rows.map((template) => template.name),
      ['Reboot', 'Tags'],
    );
    const reboot = listed.rows[0]!;
    assert.equal(await deleteActionTemplate(database, globex, reboot._id), false);
    assert.equal(await deleteActionTemplate(database, acme, reboot._id), true);
    assert.equal((await listActionTemplates(database, acme, { page: 1, perPage: 10 })).total, 1);
  });
});
