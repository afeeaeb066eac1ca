import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { mergeTemplateBody } from '../../api/services/templated-action.service';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';
import { populateCompany, type CompanyObjects } from './company-objects';
import { bodyOf, errorBody, fieldsNamed } from './response-bodies';

const platform = '/api/v1/platform';

interface Template {
  _id: string;
  name: string;
  description?: string;
  body: Record<string, unknown>;
}

describe('action templates', () => {
  let fixture: ApiFixture;
  let acme: TestCompany;
  let globex: TestCompany;
  let objects: CompanyObjects;
  let globexObjects: CompanyObjects;
  let rebootId: string;

  const reboot = {
    action: 'issue_command',
    gateway_command: 'reboot',
    rollout: { canary: { percent: 50 }, max_in_flight: 5 },
  };
  const create = (token: string, body: unknown) =>
    request(fixture.app)
      .post(`${platform}/action_templates`)
      .set('Authorization', token)
      .send(body as object);
  const preview = (token: string, body: unknown, fleetId = objects.fleetId) =>
    request(fixture.app)
      .post(`${platform}/fleets/${fleetId}/actions/preview`)
      .set('Authorization', token)
      .send(body as object);

  before(async () => {
    fixture = await openApiFixture();
    acme = await fixture.createCompanyWithUsers('Acme');
    globex = await fixture.createCompanyWithUsers('Globex');
    objects = await populateCompany(fixture.database, acme.companyId, acme.userIds.viewer);
    globexObjects = await populateCompany(fixture.database, globex.companyId, globex.userIds.viewer);
    const created = await create(acme.tokens.operator, {
      name: 'Reboot half',
      description: 'Half first',
      body: reboot,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    rebootId = bodyOf<Template>(created)._id;
  });
  after(() => fixture.close());

  test('when an operator saves a template, then a viewer reads it back with its body as sent', async () => {
    const read = await request(fixture.app)
      .get(`${platform}/action_templates/${rebootId}`)
      .set('Authorization', acme.tokens.viewer);
    assert.equal(read.status, 200);
    assert.deepEqual(bodyOf<Template>(read).body, reboot);
    const listed = await request(fixture.app)
      .get(`${platform}/action_templates?page_meta=true`)
      .set('Authorization', acme.tokens.viewer);
    // Ours and the one every populated company has.
    assert.deepEqual(bodyOf<{ total: number }>(listed).total, 2);
  });

  test('when a viewer writes a template, then it answers 403', async () => {
    assert.equal(
      (await create(acme.tokens.viewer, { name: 'X', body: { action: 'add_tags', tags: ['x'] } })).status,
      403,
    );
    const update = await request(fixture.app)
      .patch(`${platform}/action_templates/${rebootId}`)
      .set('Authorization', acme.tokens.viewer)
      .send({ name: 'Y' });
    assert.equal(update.status, 403);
  });

  test('when the body is not a valid action body, then it answers 400 naming each field under body', async () => {
    const cases: [unknown, string[]][] = [
      [{ name: 'T', body: { action: 'add_tags', tags: [] } }, ['body.tags']],
      [{ name: 'T', body: { action: 'add_tags', tags: ['a'], colour: 'red' } }, ['body']],
      [{ name: 'T', body: { action: 'issue_command' } }, ['body.command_id']],
      [{ name: 'T', body: { action: 'explode' } }, ['body.action']],
      [
        { name: 'T', body: { action: 'add_tags', tags: ['a'], rollout: { max_in_flight: 0 } } },
        ['body.rollout.max_in_flight'],
      ],
      [{ body: { action: 'add_tags', tags: ['a'] } }, ['name']],
      [{ name: 'T', body: { action: 'add_tags', tags: ['a'] }, extra: 1 }, ['(body)']],
      // 1,001 code points as sent, though 998 once trimmed: the document bounds what is sent.
      [{ name: 'T', description: `  ${'*'.repeat(998)} `, body: { action: 'add_tags', tags: ['a'] } }, ['description']],
    ];
    for (const [body, fields] of cases) {
      const response = await create(acme.tokens.operator, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.deepEqual(fieldsNamed(response), fields, JSON.stringify(body));
    }
  });

  test('when the body names a command that is not in the company, then it answers 404', async () => {
    const response = await create(acme.tokens.operator, {
      name: 'Foreign command',
      body: { action: 'issue_command', command_id: globexObjects.commandId },
    });
    assert.equal(response.status, 404);
  });

  test('when a name is taken in the company, then it answers 409 naming name; another company may use it', async () => {
    const taken = await create(acme.tokens.admin, { name: 'Reboot half', body: { action: 'add_tags', tags: ['x'] } });
    assert.equal(taken.status, 409);
    assert.deepEqual(fieldsNamed(taken), ['name']);
    assert.equal((await create(globex.tokens.operator, { name: 'Reboot half', body: reboot })).status, 201);
  });

  test("when another company's template is read, changed, deleted or started, then it answers 404", async () => {
    const path = `${platform}/action_templates/${rebootId}`;
    const token = globex.tokens.admin;
    assert.equal((await request(fixture.app).get(path).set('Authorization', token)).status, 404);
    assert.equal((await request(fixture.app).patch(path).set('Authorization', token).send({ name: 'Z' })).status, 404);
    assert.equal((await request(fixture.app).delete(path).set('Authorization', token)).status, 404);
    const started = await request(fixture.app)
      .post(`${platform}/fleets/${globexObjects.fleetId}/actions`)
      .set('Authorization', globex.tokens.operator)
      .send({ template_id: rebootId });
    assert.equal(started.status, 404);
    assert.match(errorBody(started).error, /Action template not found/);
  });

  test('when an action names a template with overrides, then the merged body is what runs (preview shows it)', async () => {
    const asSaved = bodyOf<{ eligible: number; canary_devices?: number }>(
      await preview(acme.tokens.operator, { template_id: rebootId }),
    );
    assert.equal(asSaved.eligible, 1);
    assert.equal(asSaved.canary_devices !== undefined, true, 'the template canary applies');
    const withoutCanary = await preview(acme.tokens.operator, {
      template_id: rebootId,
      rollout: { canary: null, skip_offline: true },
    });
    assert.equal(withoutCanary.status, 200, JSON.stringify(withoutCanary.body));
    const counts = bodyOf<{ eligible: number; canary_devices?: number; skipped: Record<string, number> }>(
      withoutCanary,
    );
    assert.deepEqual([counts.eligible, counts.canary_devices, counts.skipped.offline], [0, undefined, 1]);
  });

  test('when the merged body is invalid or template_id malformed, then it answers 400 naming the fields', async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ template_id: rebootId, command_id: objects.commandId }, ['command_id']],
      [{ template_id: rebootId, rollout: { max_in_flight: 'many' } }, ['rollout.max_in_flight']],
      // The template's issue_command fields stay unless the start removes them with null.
      [{ template_id: rebootId, action: 'add_tags' }, ['tags', '(body)']],
      [{ template_id: 'nope' }, ['template_id']],
    ];
    for (const [body, fields] of cases) {
      const response = await preview(acme.tokens.operator, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.deepEqual(fieldsNamed(response), fields, JSON.stringify(response.body));
    }
    const swapped = await preview(acme.tokens.operator, {
      template_id: rebootId,
      gateway_command: null,
      command_id: objects.commandId,
    });
    assert.equal(swapped.status, 200, JSON.stringify(swapped.body));
  });

  test('when a template is updated with a new body and then deleted, then starts no longer find it', async () => {
    const path = `${platform}/action_templates/${rebootId}`;
    const changed = await request(fixture.app)
      .put(path)
      .set('Authorization', acme.tokens.operator)
      .send({ body: { action: 'add_tags', tags: ['b'] } });
    assert.deepEqual(
      [changed.status, bodyOf<Template>(changed).body, bodyOf<Template>(changed).description],
      [200, { action: 'add_tags', tags: ['b'] }, 'Half first'],
    );
    const invalid = await request(fixture.app)
      .patch(path)
      .set('Authorization', acme.tokens.operator)
      .send({ body: { action: 'add_tags' } });
    assert.deepEqual(fieldsNamed(invalid), ['body.tags']);
    assert.equal((await request(fixture.app).delete(path).set('Authorization', acme.tokens.operator)).status, 200);
    assert.equal((await preview(acme.tokens.operator, { template_id: rebootId })).status, 404);
  });
});

describe('merging a template with the fields of a start', () => {
  const template = {
    action: 'issue_command',
    gateway_command: 'reboot',
    rollout: { canary: { percent: 1, min_success_rate: 0.8 }, device_timeout_seconds: 300 },
  };

  test('when top-level fields are given, then each replaces the template one; null removes it', () => {
    assert.deepEqual(mergeTemplateBody(template, { gateway_command: null, command_id: 'c' }), {
      action: 'issue_command',
      command_id: 'c',
      rollout: template.rollout,
    });
  });

  test('when rollout fields are given, then they merge one level deep: a control given replaces the template one whole', () => {
    assert.deepEqual(
      mergeTemplateBody(template, { rollout: { device_timeout_seconds: 60, canary: { count: 5 } } }).rollout,
      {
        canary: { count: 5 },
        device_timeout_seconds: 60,
      },
    );
    assert.deepEqual(mergeTemplateBody(template, { rollout: { canary: null } }).rollout, {
      device_timeout_seconds: 300,
    });
    assert.equal(mergeTemplateBody(template, { rollout: null }).rollout, undefined);
    assert.deepEqual(
      mergeTemplateBody({ action: 'add_tags', tags: ['a'] }, { rollout: { max_in_flight: 5 } }).rollout,
      {
        max_in_flight: 5,
      },
    );
  });
});
