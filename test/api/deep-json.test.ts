import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { excessiveNestingOffset, maximumJsonDepth } from '../../api/middleware/json-nesting';
import { openApiDocument } from '../../api/openapi/openapi-document';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';

type Operations = Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepBody = nested(5000);

// Every operation the document gives a JSON body, with its path parameters filled with a valid-looking id.
function jsonOperations(): { method: string; path: string }[] {
  const paths = (openApiDocument() as { paths: Operations }).paths;
  return Object.entries(paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => operation.requestBody?.content['application/json'] !== undefined)
      .map(([method]) => ({ method, path: path.replace(/\{[^}]+\}/g, 'a'.repeat(24)) })),
  );
}

function assertNestingRefused(response: request.Response, where: string): void {
  assert.equal(response.status, 400, `${where}: ${response.status} ${response.text.slice(0, 200)}`);
  assert.match(response.headers['content-type'] ?? '', /application\/json/, where);
  const body = response.body as { error: string; details: { field: string; message: string }[] };
  assert.match(body.error, /nested deeper than 64 levels/, where);
  assert.equal(body.details[0]?.field, '(body)', where);
}

describe('JSON nested too deep', () => {
  let fixture: ApiFixture;
  let company: TestCompany;

  before(async () => {
    fixture = await openApiFixture();
    company = await fixture.createCompanyWithUsers('Deep');
  });
  after(() => fixture.close());

  it('when a 5,000-deep array is posted to the unauthenticated login, then it answers 400 naming the nesting', async () => {
    const response = await request(fixture.app)
      .post('/api/v1/platform/user/authenticate')
      .set('Content-Type', 'application/json')
      .send(deepBody);
    assertNestingRefused(response, 'login');
  });

  it('when a 5,000-deep body reaches any JSON operation of the document, with or without a token, then each answers 400', async () => {
    const operations = jsonOperations();
    assert.ok(operations.length >= 20, `only ${operations.length} JSON operations documented`);
    for (const { method, path } of operations)
      for (const token of [undefined, company.tokens.admin]) {
        let call = request(fixture.app)[method as 'post'](path).set('Content-Type', 'application/json');
        if (token) call = call.set('Authorization', token);
        assertNestingRefused(await call.send(deepBody), `${method} ${path}`);
      }
  });

  it('when objects nest too deep inside an otherwise valid body, then it answers 400 before any route runs', async () => {
    const payload = `{"name":"deep","payload":${'{"a":'.repeat(maximumJsonDepth)}1${'}'.repeat(maximumJsonDepth)}}`;
    const response = await request(fixture.app)
      .post('/api/v1/platform/commands')
      .set('Authorization', company.tokens.admin)
      .set('Content-Type', 'application/json')
      .send(payload);
    assertNestingRefused(response, 'command payload');
  });

  it('when a body nests exactly to the limit, then it is parsed and validated as usual', async () => {
    const payload = `{"name":"deep enough","payload":${'{"a":'.repeat(maximumJsonDepth - 1)}1${'}'.repeat(maximumJsonDepth - 1)}}`;
    const response = await request(fixture.app)
      .post('/api/v1/platform/commands')
      .set('Authorization', company.tokens.admin)
      .set('Content-Type', 'application/json')
      .send(payload);
    assert.equal(response.status, 201, response.text);
  });

  it('when a login or refresh body is over 16 KB, then it answers 413 without reading it; a token-bearing route takes 1 MB', async () => {
    const big = JSON.stringify({ email: `${'a'.repeat(20_000)}@x.example`, password: 'x' });
    for (const path of [
      '/api/v1/platform/user/authenticate',
      '/api/public/v1/auth/login',
      '/api/public/v1/auth/refresh',
    ]) {
      const response = await request(fixture.app).post(path).set('Content-Type', 'application/json').send(big);
      assert.equal(response.status, 413, path);
      assert.equal((response.body as { error: string }).error, 'Request body too large');
    }
    const command = await request(fixture.app)
      .post('/api/v1/platform/commands')
      .set('Authorization', company.tokens.admin)
      .send({ name: 'large', payload: { note: 'x'.repeat(20_000) } });
    assert.equal(command.status, 201, command.text);
  });

  it('when a JSON body declares a charset other than UTF-8, then it answers 400', async () => {
    const response = await request(fixture.app)
      .post('/api/v1/platform/user/authenticate')
      .set('Content-Type', 'application/json; charset=utf-16le')
      .send(Buffer.from('{"email":"a@b.example","password":"x"}', 'utf16le'));
    assert.equal(response.status, 400, response.text);
    assert.match((response.body as { error: string }).error, /UTF-8/);
  });

  it('when an imported JSON file nests too deep, then it answers 400 naming the file', async () => {
    const response = await request(fixture.app)
      .post('/api/v1/platform/devices/import')
      .set('Authorization', company.tokens.admin)
      .attach('file', Buffer.from(nested(100_000)), { filename: 'devices.json', contentType: 'application/json' });
    assert.equal(response.status, 400, response.text);
    assert.equal((response.body as { details: { field: string }[] }).details[0]?.field, 'file');
  });
});

describe('excessiveNestingOffset', () => {
  const scan = (text: string, depth = 3) => excessiveNestingOffset(Buffer.from(text), depth);

  it('when brackets sit inside strings, even after escaped quotes, then they do not count', () => {
    assert.equal(scan('[[["[[[[{{{{\\"[[[[", "\\\\"]]]'), -1);
    assert.equal(scan('[[[{"a": 1}]]]'), 3);
  });

  it('when text is multi-byte UTF-8, then only ASCII brackets count', () => {
    assert.equal(scan('[["é[", "日本[[[[", {"ü": ["x"]}]]', 4), -1);
  });
});
