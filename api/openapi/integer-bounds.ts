// zod's z.int() refuses integers beyond ±(2^53 - 1), but zod-to-openapi writes no bound for it,
// so the document allowed integers the server refused. Every integer schema without a bound gets
// the one zod applies.
const largest = Number.MAX_SAFE_INTEGER;

export function withIntegerBounds<Document extends object>(document: Document): Document {
  boundIntegers(document);
  return document;
}

function boundIntegers(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) boundIntegers(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  if (schema.type === 'integer') {
    if (schema.minimum === undefined && schema.exclusiveMinimum === undefined) schema.minimum = -largest;
    if (schema.maximum === undefined && schema.exclusiveMaximum === undefined) schema.maximum = largest;
  }
  for (const [key, value] of Object.entries(schema)) if (key !== 'example' && key !== 'examples') boundIntegers(value);
}
