import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openApiDocument } from '../../api/openapi/openapi-document';

interface Parameter {
  in: string;
  name: string;
  schema?: { pattern?: string };
}
type Operation = { parameters?: Parameter[]; security?: unknown[]; responses: Record<string, unknown> };
type Document = { paths: Record<string, Record<string, Operation>> };

const document = openApiDocument() as Document;
const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
  Object.entries(byMethod).map(([method, operation]) => ({ label: `${method} ${path}`, operation })),
);

function schemasOf(node: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) for (const item of node) schemasOf(item, found);
  else if (typeof node === 'object' && node !== null) {
    found.push(node as Record<string, unknown>);
    for (const [key, value] of Object.entries(node))
      if (key !== 'example' && key !== 'examples') schemasOf(value, found);
  }
  return found;
}

// What schemathesis (scripts/ci/schemathesis.sh) found loose once, kept from coming back cheaply.
describe('the OpenAPI document is as strict as the server', () => {
  it('when a path names an object, then its parameter carries the 24-hex pattern', () => {
    for (const { label, operation } of operations)
      for (const parameter of operation.parameters ?? [])
        if (parameter.in === 'path')
          assert.equal(parameter.schema?.pattern, '^[0-9a-f]{24}$', `${label} ${parameter.name}`);
  });

  it('when a schema is an integer, then it has both bounds (zod refuses beyond the safe integers)', () => {
    const loose = schemasOf(document).filter(
      (schema) => schema.type === 'integer' && (schema.minimum === undefined || schema.maximum === undefined),
    );
    assert.deepEqual(loose, []);
  });

  it('when an operation takes a token, then it documents 400 and 401', () => {
    for (const { label, operation } of operations) {
      assert.ok(operation.responses['400'], `${label} documents 400`);
      if (operation.security?.length !== 0) assert.ok(operation.responses['401'], `${label} documents 401`);
    }
  });
});
