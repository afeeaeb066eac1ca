import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { ImportReport } from '../../api/routes/device-import.service';
import { bodyOf, fieldsNamed } from './response-bodies';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';
import { populateCompany, registrySnapshot, type CompanyObjects } from './company-objects';

describe('device import, CSV and JSON, both dialects', () => {
  let fixture: ApiFixture;
  let company: TestCompany;
  let objects: CompanyObjects;

  before(async () => {
    fixture = await openApiFixture();
    company = await fixture.createCompanyWithUsers('Acme');
    objects = await populateCompany(fixture.database, company.companyId, company.userIds.viewer);
  });
  after(() => fixture.close());

  const upload = (path: string, content: string, filename: string) =>
    request(fixture.app)
      .post(path)
      .set('Authorization', `Bearer ${company.tokens.admin}`)
      .attach('file', Buffer.from(content), filename);
  const deviceByUniqueId = async (uniqueId: string) =>
    (
      await fixture.database.query<Record<string, unknown>>(
        'select * from devices where company_id = $1 and unique_id = $2',
        [company.companyId, uniqueId],
      )
    )[0];

  test('when a valid CSV is uploaded, then every row is created with tags and metadata parsed', async () => {
    const csv = `unique_id,name,device_type_id,tags,heartbeat_period,metadata\nCSV-1,One,${objects.deviceTypeId},a|b,60,region=eu|floor=2\nCSV-2,,${objects.deviceTypeId},,,\n`;
    const response = await upload('/api/public/v1/devices/import', csv, 'devices.csv');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { total: 2, created: 2, updated: 0, failed: 0, errors: [] });
    const first = await deviceByUniqueId('CSV-1');
    assert.deepEqual(
      [first?.tags, first?.metadata, first?.heartbeat_period],
      [['a', 'b'], { region: 'eu', floor: '2' }, 60],
    );
    assert.equal((await deviceByUniqueId('CSV-2'))?.heartbeat_period, 300);
  });

  test('when rows share a unique_id with stored devices, then they are updated, keeping fields the row leaves out', async () => {
    const json = JSON.stringify([{ unique_id: 'CSV-1', device_type_id: objects.deviceTypeId, name: 'Renamed' }]);
    const response = await upload('/api/v1/platform/devices/import', json, 'devices.json');
    assert.deepEqual(response.body, { total: 1, created: 0, updated: 1, failed: 0, errors: [] });
    const device = await deviceByUniqueId('CSV-1');
    assert.deepEqual([device?.name, device?.tags, device?.heartbeat_period], ['Renamed', ['a', 'b'], 60]);
  });

  test('when some rows are invalid, then they are reported by row number and field and only valid rows are written', async () => {
    const csv = [
      'unique_id,name,device_type_id,tags,heartbeat_period,metadata',
      `OK-1,Fine,${objects.deviceTypeId},,,`,
      `BAD-1,Broken,${objects.deviceTypeId},,soon,`,
      `BAD-2,Broken,${objects.deviceTypeId},,,novalue`,
      `OK-1,Again,${objects.deviceTypeId},,,`,
      `,Nameless,${objects.deviceTypeId},,,`,
    ].join('\n');
    const response = await upload('/api/public/v1/devices/import', csv, 'devices.csv');
    assert.equal(response.status, 207);
    assert.equal(bodyOf<ImportReport>(response).created, 1);
    assert.equal(bodyOf<ImportReport>(response).failed, 4);
    assert.deepEqual(
      bodyOf<ImportReport>(response).errors.map((error) => [error.row, error.field]),
      [
        [2, 'heartbeat_period'],
        [3, 'metadata'],
        [4, 'unique_id'],
        [5, 'unique_id'],
      ],
    );
    assert.equal((await deviceByUniqueId('OK-1'))?.name, 'Fine');
    assert.equal(await deviceByUniqueId('BAD-1'), undefined);
    assert.equal(await deviceByUniqueId('BAD-2'), undefined);
  });

  test('when every row fails, then it answers 207 with each row error (every row has its status) and writes nothing', async () => {
    const before = await registrySnapshot(fixture.database);
    const response = await request(fixture.app)
      .post('/api/public/v1/devices/import')
      .set('Authorization', company.tokens.admin)
      .send([{ unique_id: 'X', device_type_id: objects.deviceTypeId, colour: 'red' }, { unique_id: 'Y' }]);
    assert.equal(response.status, 207);
    const report = response.body as { failed: number; total: number; errors: { row: number; field?: string }[] };
    assert.equal(report.failed, report.total);
    assert.deepEqual(
      report.errors.map((detail) => [detail.row, detail.field]),
      [
        [1, '(body)'],
        [2, 'device_type_id'],
      ],
    );
    assert.equal(await registrySnapshot(fixture.database), before);
  });

  test('when the file is not CSV or JSON, has unknown columns or no rows, then it answers 400 naming the problem', async () => {
    const cases: [string, string, string][] = [
      ['[not json', 'devices.json', 'file'],
      ['{"unique_id": "A"}', 'devices.json', 'file'],
      ['unique_id,colour\nA,red\n', 'devices.csv', 'colour'],
      ['unique_id,name\n', 'devices.csv', 'file'],
      ['a,"b\n', 'devices.csv', 'file'],
    ];
    for (const [content, filename, field] of cases) {
      const response = await upload('/api/public/v1/devices/import', content, filename);
      assert.equal(response.status, 400, content);
      assert.equal(fieldsNamed(response)[0], field, content);
    }
  });

  test('when the multipart file is a text field, or a CSV row has more or fewer cells, then it is read like a file', async () => {
    const csv = `unique_id,name,device_type_id\nFIELD-1,From a field,${objects.deviceTypeId},extra\nFIELD-2\n`;
    const response = await request(fixture.app)
      .post('/api/public/v1/devices/import')
      .set('Authorization', company.tokens.admin)
      .field('file', csv);
    assert.equal(response.status, 207, response.text);
    const report = response.body as { created: number; errors: { row: number; field?: string }[] };
    assert.equal(report.created, 1);
    assert.deepEqual(
      report.errors.map((detail) => [detail.row, detail.field]),
      [[2, 'device_type_id']],
    );
  });

  test('when a form carries a part besides file, then it answers 400 naming the part and imports nothing', async () => {
    const response = await request(fixture.app)
      .post('/api/public/v1/devices/import')
      .set('Authorization', company.tokens.admin)
      .attach('file', Buffer.from(`unique_id,name\nPART-1,Extra part\n`), 'devices.csv')
      .field('overwrite', 'true');
    assert.equal(response.status, 400, response.text);
    assert.deepEqual(fieldsNamed(response), ['overwrite']);
    const found = await fixture.database.query("select 1 from devices where unique_id = 'PART-1'");
    assert.equal(found.length, 0);
  });

  test('when CSV is sent as text/csv without multipart, then it is imported too', async () => {
    const response = await request(fixture.app)
      .post('/api/v1/platform/devices/import')
      .set('Authorization', company.tokens.admin)
      .type('text/csv')
      .send(`unique_id,device_type_id\nRAW-1,${objects.deviceTypeId}\n`);
    assert.equal(response.status, 200);
    assert.equal(bodyOf<ImportReport>(response).created, 1);
  });
});
