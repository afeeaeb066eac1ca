import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openApiDocument } from '../api/openapi/openapi-document';

// Writes the OpenAPI document exactly as GET /openapi.json serves it, for linters and clients:
//   tsx scripts/write-openapi.ts [output file, default data/openapi.json]
const output = path.resolve(process.argv[2] ?? 'data/openapi.json');
mkdirSync(path.dirname(output), { recursive: true });
writeFileSync(output, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`wrote ${output}`);
