import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';

interface Detail {
  field?: string;
  message: string;
}

function fieldsOf(body: unknown): string[] {
  const details = (body as { details?: Detail[] }).details ?? [];
  return details.map((detail) => detail.field ?? '');
}

const edgeIq = '/api/v1/platform';
const iris = '/api/public/v1';

// PostgreSQL refuses NUL in text: every way a NUL can arrive must answer 400 naming where it is.
describe('NUL characters and malformed multipart bodies', () => {
  let fixture: ApiFixture;
  let company: TestCompany;

  before(async () => {
    fixture = await openApiFixture();
    company = await fixture.createCompanyWithUsers('Nul');
  });
  after(() => fixture.close());

  it('when a fleet name holds a NUL, then it answers 400 naming name', async () => {
    const response = await request(fixture.app)
      .post(`${edgeIq}/fleets`)
      .set('Authorization', company.tokens.admin)
      .set('Content-Type', 'application/json')
      .send('{"name":"a\\u0000b","criteria":{}}');
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.deepEqual(fieldsOf(response.body), ['name']);
  });

  it('when ?unique_id is %00, then it answers 400 naming query.unique_id', async () => {
    const response = await request(fixture.app)
      .get(`${edgeIq}/devices?unique_id=%00`)
      .set('Authorization', company.tokens.viewer);
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.deepEqual(fieldsOf(response.body), ['query.unique_id']);
  });

  it('when the IRIS paginate search holds a NUL, then it answers 400 naming search', async () => {
    const response = await request(fixture.app)
      .post(`${iris}/devices/paginate`)
      .set('Authorization', company.tokens.viewer)
      .send({ search: 'x\u0000' });
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.deepEqual(fieldsOf(response.body), ['search']);
  });

  it('when a sendCommandsBulk serial holds a NUL, then it answers 400 naming that serial', async () => {
    const response = await request(fixture.app)
      .post(`${iris}/devices/sendCommandsBulk`)
      .set('Authorization', company.tokens.operator)
      .send({ device_serials: ['ok', 'b\u0000d'], w_ota: true });
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.deepEqual(fieldsOf(response.body), ['device_serials.1']);
  });

  it('when a JSON value holds an unpaired surrogate, then it answers 400 naming it', async () => {
    const response = await request(fixture.app)
      .post(`${edgeIq}/commands`)
      .set('Authorization', company.tokens.admin)
      .set('Content-Type', 'application/json')
      .send('{"name":"blink","device_type_ids":[],"payload":{"note":"\\ud800"}}');
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.deepEqual(fieldsOf(response.body), ['payload.note']);
  });

  it('when a path segment holds a NUL, then it answers 400 naming path', async () => {
    const response = await request(fixture.app).get(`${edgeIq}/fleets/%00`).set('Authorization', company.tokens.viewer);
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.deepEqual(fieldsOf(response.body), ['path']);
  });

  it('when a CSV import cell holds a NUL, then it answers 400 naming file', async () => {
    const response = await request(fixture.app)
      .post(`${edgeIq}/devices/import`)
      .set('Authorization', company.tokens.admin)
      .set('Content-Type', 'text/csv')
      .send('unique_id,name\nabc,na\u0000me\n');
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.deepEqual(fieldsOf(response.body), ['file']);
  });

  it('when a multipart body has no boundary, then it answers 400', async () => {
    const response = await request(fixture.app)
      .post(`${edgeIq}/devices/import`)
      .set('Authorization', company.tokens.admin)
      .set('Content-Type', 'multipart/form-data')
      .send('--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc\r\n--x--\r\n');
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.equal(typeof (response.body as { error?: unknown }).error, 'string');
  });

  it('when a multipart part header is malformed, then it answers 400', async () => {
    const response = await request(fixture.app)
      .post(`${edgeIq}/devices/import`)
      .set('Authorization', company.tokens.admin)
      .set('Content-Type', 'multipart/form-data; boundary=x')
      .send('--x\r\nContent-Disposition form-data name\r\n\r\nabc\r\n--x--\r\n');
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.equal(typeof (response.body as { error?: unknown }).error, 'string');
  });

  it('when a path is malformed percent-encoding, then it answers 400, not 500', async () => {
    const response = await request(fixture.app)
      .get(`${edgeIq}/fleets/%E0%A4%A`)
      .set('Authorization', company.tokens.viewer);
    assert.equal(response.status, 400, JSON.stringify(response.body));
  });
});
