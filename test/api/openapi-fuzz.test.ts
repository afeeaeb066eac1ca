import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import request from 'supertest';
import type { Role } from '../../api/caller';
import { issueSessionToken } from '../../api/auth/token-issuer';
import { createCompany } from '../../registry/companies.repository';
import { hashPassword } from '../../registry/password-hashing';
import { createUser } from '../../registry/users.repository';
import { startEngineStack, type EngineStack } from '../support/engine-stack';
import { populateCompany, type CompanyObjects } from './company-objects';

// Every operation of /openapi.json, driven with requests generated from its own documented
// schemas, mixed with hostile values (NUL, huge numbers, wrong types, odd unicode), through the
// real stack (registry, Temporal, worker). Whatever comes in: no 5xx, and only statuses the
// document lists for that operation. Bounded: a fixed number of requests per operation.

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: { contentTypes: string[]; schema?: JsonSchema };
  statuses: Set<number>;
  isPublic: boolean;
  streams: boolean;
}

interface Document {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface RawOperation {
  parameters?: Parameter[];
  security?: unknown[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}

interface GeneratedRequest {
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  token: string | undefined;
  body: { contentType: string; value: unknown } | undefined;
}

const runsPerOperation = 30;
const runsPerLoginOperation = 8;

const hostileStrings = [
  '',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ é ﷽',
  '\u202Egnp.exe',
  "' or 1=1 --",
  '../../../etc/passwd',
  '%00%ff',
  '<script>alert(1)</script>',
  'x'.repeat(5000),
  ' ',
  '0',
  '-1',
  'null',
];
const hostileNumbers = [0, -1, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 0.5, 1e-300];
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...hostileStrings),
  fc.constantFrom<unknown>(...hostileNumbers),
  fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': '\u0000' }, { __proto__: 1 }),
  fc.jsonValue({ maxDepth: 2 }),
);

function operationsOf(document: Document): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, raw]) => {
      const content = raw.requestBody?.content ?? {};
      const contentTypes = Object.keys(content);
      const jsonSchema = content['application/json']?.schema;
      return {
        method,
        path,
        parameters: raw.parameters ?? [],
        ...(contentTypes.length > 0 ? { body: { contentTypes, ...(jsonSchema ? { schema: jsonSchema } : {}) } } : {}),
        statuses: new Set(Object.keys(raw.responses).map(Number)),
        isPublic: Array.isArray(raw.security) && raw.security.length === 0,
        streams: Object.values(raw.responses).some((answer) => 'text/event-stream' in (answer.content ?? {})),
      };
    }),
  );
}

// Generates values that follow `schema` most of the time and anything hostile the rest.
class SchemaArbitraries {
  constructor(
    private readonly components: Record<string, JsonSchema>,
    private readonly knownIds: string[],
  ) {}

  valueFor(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
    if (!schema || depth > 4) return hostileValue;
    return fc.oneof({ weight: 5, arbitrary: this.conforming(schema, depth) }, { weight: 1, arbitrary: hostileValue });
  }

  private conforming(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    if (schema.$ref) return this.valueFor(this.components[schema.$ref.split('/').pop() ?? ''], depth + 1);
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives) return fc.oneof(...alternatives.map((alternative) => this.valueFor(alternative, depth + 1)));
    if (schema.allOf) return this.valueFor(mergeAll(schema.allOf), depth + 1);
    const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object'];
    return fc.oneof(...types.map((type) => this.ofType(type, schema, depth)));
  }

  private ofType(type: string, schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    switch (type) {
      case 'string':
        return this.string(schema);
      case 'integer':
        return fc.oneof(
          fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 }),
          fc.constantFrom(...hostileNumbers),
        );
      case 'number':
        return fc.double({
          noNaN: true,
          noDefaultInfinity: true,
          min: schema.minimum ?? -1e6,
          max: schema.maximum ?? 1e6,
        });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return fc.array(this.valueFor(schema.items, depth + 1), { maxLength: 3 });
      default:
        return this.object(schema, depth);
    }
  }

  private string(schema: JsonSchema): fc.Arbitrary<string> {
    if (schema.pattern?.includes('[0-9a-f]{24}'))
      return fc.oneof(fc.constantFrom(...this.knownIds), fc.stringMatching(/^[0-9a-f]{24}$/));
    if (schema.pattern) return fc.oneof(fc.stringMatching(new RegExp(schema.pattern)), fc.string());
    return fc.oneof(
      fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) }),
      fc.constantFrom(...hostileStrings),
    );
  }

  private object(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    const properties = schema.properties ?? {};
    const model = Object.fromEntries(
      Object.entries(properties).map(([key, property]) => [key, this.valueFor(property, depth + 1)]),
    );
    const record = fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in properties) });
    const valueType =
      typeof schema.additionalProperties === 'object' ? schema.additionalProperties : ({ type: 'string' } as const);
    const extra = fc.dictionary(fc.string({ maxLength: 8 }), this.valueFor(valueType, depth + 1), { maxKeys: 2 });
    return fc.tuple(record, extra).map(([known, unknown]) => ({ ...unknown, ...known }));
  }
}

function mergeAll(schemas: JsonSchema[]): JsonSchema {
  return schemas.reduce<JsonSchema>(
    (merged, part) => ({
      ...merged,
      ...part,
      properties: { ...merged.properties, ...part.properties },
      required: [...(merged.required ?? []), ...(part.required ?? [])],
    }),
    {},
  );
}

function requestsFor(
  operation: Operation,
  arbitraries: SchemaArbitraries,
  tokens: string[],
  knownIds: string[],
): fc.Arbitrary<GeneratedRequest> {
  const pathParameters = operation.parameters.filter((parameter) => parameter.in === 'path');
  const queryParameters = operation.parameters.filter((parameter) => parameter.in === 'query');
  // A stream on a real bulk response stays open until the rollout ends: only unknown ids there.
  const idPool = operation.streams ? [] : knownIds;
  const pathValue = fc.oneof(
    ...(idPool.length > 0 ? [fc.constantFrom(...idPool)] : []),
    fc.stringMatching(/^[0-9a-f]{24}$/),
    fc.constantFrom(...hostileStrings.filter((value) => value !== '')),
  );
  const path = fc
    .tuple(...pathParameters.map(() => pathValue))
    .map((values) =>
      pathParameters.reduce(
        (built, parameter, index) => built.replace(`{${parameter.name}}`, encodeURIComponent(String(values[index]))),
        operation.path,
      ),
    );
  const query = fc.record(
    Object.fromEntries(queryParameters.map((parameter) => [parameter.name, arbitraries.valueFor(parameter.schema)])),
    { requiredKeys: [] },
  );
  const headers = operation.parameters.some((parameter) => parameter.name === 'Idempotency-Key')
    ? fc
        .option(
          fc.string({ minLength: 1, maxLength: 40 }).filter((key) => /^[\x21-\x7e]+$/.test(key)),
          { nil: undefined },
        )
        .map((key): Record<string, string> => (key ? { 'Idempotency-Key': key } : {}))
    : fc.constant<Record<string, string>>({});
  const body = operation.body
    ? fc.oneof(
        arbitraries.valueFor(operation.body.schema).map((value) => ({ contentType: 'application/json', value })),
        ...(operation.body.contentTypes.includes('text/csv')
          ? [
              fc
                .string({ maxLength: 200 })
                .map((value) => ({ contentType: 'text/csv', value: `unique_id,name\n${value}` })),
            ]
          : []),
      )
    : fc.constant(undefined);
  return fc.record({
    path,
    query,
    headers,
    token: fc.constantFrom<string | undefined>(...tokens, undefined, 'not-a-token'),
    body,
  });
}

async function send(app: EngineStack['app'], operation: Operation, generated: GeneratedRequest): Promise<number> {
  const method = operation.method as 'get' | 'post' | 'put' | 'patch' | 'delete';
  const query = Object.fromEntries(
    Object.entries(generated.query).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
  let call = request(app)[method](generated.path).query(query).set(generated.headers).timeout(10_000);
  if (generated.token) call = call.set('Authorization', generated.token);
  if (generated.body) {
    const { contentType, value } = generated.body;
    call = call
      .set('Content-Type', contentType)
      .send(contentType === 'application/json' ? JSON.stringify(value) : String(value));
  }
  return (await call).status;
}

describe('fuzzing every operation of /openapi.json', () => {
  let stack: EngineStack;
  let document: Document;
  let tokens: string[];
  let knownIds: string[];

  before(async () => {
    stack = await startEngineStack();
    const company = await createCompany(stack.database, 'Fuzz');
    const passwordHash = await hashPassword('fuzz password that is long');
    const userIds: Record<Role, string> = { viewer: '', operator: '', admin: '' };
    tokens = [];
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const user = await createUser(stack.database, company.id, {
        email: `${role}@fuzz.example.com`,
        passwordHash,
        role,
      });
      userIds[role] = user.id;
      tokens.push((await issueSessionToken(stack.database, user.id)).token);
    }
    const objects: CompanyObjects = await populateCompany(stack.database, company.id, userIds.viewer);
    const started = await request(stack.app)
      .post(`/api/v1/platform/fleets/${objects.fleetId}/actions`)
      .set('Authorization', tokens[1]!)
      .send({ action: 'add_tags', tags: ['fuzz'] });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    // Users are left out: an admin deleting itself would turn the rest of the run into 401s.
    knownIds = [
      objects.companyId,
      objects.deviceTypeId,
      objects.spareDeviceTypeId,
      objects.deviceId,
      objects.fleetId,
      objects.commandId,
      objects.configurationId,
      objects.settingId,
      (started.body as { bulk_response_id: string }).bulk_response_id,
    ];
    document = (await request(stack.app).get('/openapi.json')).body as Document;
  });
  after(() => stack.stop());

  it('when every operation gets generated and hostile requests, then none answers 5xx or an undocumented status', async (context) => {
    const arbitraries = new SchemaArbitraries(document.components?.schemas ?? {}, knownIds);
    const operations = operationsOf(document);
    const failures: string[] = [];
    let requests = 0;
    for (const operation of operations) {
      await fc
        .assert(
          fc.asyncProperty(requestsFor(operation, arbitraries, tokens, knownIds), async (generated) => {
            requests += 1;
            const status = await send(stack.app, operation, generated);
            if (status >= 500 || !operation.statuses.has(status)) {
              failures.push(
                `${operation.method.toUpperCase()} ${operation.path} -> ${status}: ${JSON.stringify(generated).slice(0, 300)}`,
              );
              return false;
            }
            return true;
          }),
          { numRuns: operation.isPublic ? runsPerLoginOperation : runsPerOperation, endOnFailure: true },
        )
        .catch(() => undefined);
    }
    context.diagnostic(`${operations.length} operations, ${requests} requests, ${failures.length} failures`);
    assert.ok(operations.length >= 60, `only ${operations.length} operations in the document`);
    assert.ok(requests >= operations.length * runsPerLoginOperation, `${requests} requests`);
    assert.deepEqual(failures, []);
  });
});
