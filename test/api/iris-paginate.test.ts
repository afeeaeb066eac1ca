import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { upsertDevices } from '../../registry/device-upsert.repository';
import { bodyOf, fieldsNamed } from './response-bodies';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';
import { populateCompany } from './company-objects';

interface Page {
  count: number;
  rows: { _id: string; unique_id: string; serial: string }[];
}

describe('IRIS360 device pagination', () => {
  let fixture: ApiFixture;
  let company: TestCompany;

  before(async () => {
    fixture = await openApiFixture();
    company = await fixture.createCompanyWithUsers('Acme');
    const objects = await populateCompany(fixture.database, company.companyId, company.userIds.viewer);
    await fixture.database.query('delete from devices where company_id = $1', [company.companyId]);
    await upsertDevices(
      fixture.database,
      company.companyId,
      Array.from({ length: 25 }, (_, index) => ({
        unique_id: `DEV-${String(index + 1).padStart(2, '0')}`,
        name: index % 2 === 0 ? `Boiler ${index + 1}` : `boiler ${index + 1}`,
        device_type_id: objects.deviceTypeId,
        tags: index < 3 ? ['Lobby'] : [],
      })),
    );
  });
  after(() => fixture.close());

  const paginate = async (body: object) => {
    const response = await request(fixture.app)
      .post('/api/public/v1/devices/paginate')
      .set('Authorization', `Bearer ${company.tokens.viewer}`)
      .send(body);
    return { status: response.status, fields: fieldsNamed(response), body: bodyOf<Page>(response) };
  };

  test('when no options are given, then the first 10 rows come with the total count', async () => {
    const response = await paginate({});
    assert.equal(response.status, 200);
    assert.equal(response.body.count, 25);
    assert.equal(response.body.rows.length, 10);
    assert.equal(response.body.rows[0]?.serial, response.body.rows[0]?.unique_id);
  });

  test('when ordering by serial descending with page 3 of 10, then the last five come in reverse order', async () => {
    const response = await paginate({ orderBy: 'unique_id', orderDirection: true, page: 3, paginationSize: 10 });
    assert.deepEqual(
      response.body.rows.map((row) => row.unique_id),
      ['DEV-05', 'DEV-04', 'DEV-03', 'DEV-02', 'DEV-01'],
    );
  });

  test('when page is 0 or negative, then the first page is answered', async () => {
    const first = await paginate({ orderBy: 'unique_id', page: 1 });
    for (const page of [0, -3])
      assert.deepEqual((await paginate({ orderBy: 'unique_id', page })).body.rows, first.body.rows);
  });

  test('when searching, then serial, name and tags match case-sensitively', async () => {
    assert.equal((await paginate({ search: 'Boiler' })).body.count, 13);
    assert.equal((await paginate({ search: 'boiler' })).body.count, 12);
    assert.equal((await paginate({ search: 'Lobby' })).body.count, 3);
    assert.equal((await paginate({ search: 'lobby' })).body.count, 0);
    assert.equal((await paginate({ search: 'DEV-2' })).body.count, 6);
  });

  test('when orderBy is not a known column, then it answers 400 naming orderBy', async () => {
    const response = await paginate({ orderBy: 'password' });
    assert.equal(response.status, 400);
    assert.equal(response.fields[0], 'orderBy');
  });
});
