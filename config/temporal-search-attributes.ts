// config/ holds what every process sets up alike (its logger, its metrics, the Temporal namespace's
// search attributes), so the API and worker entry points share it without importing each other.
import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { searchAttributeNames } from '../contracts/search-attributes';

// Registers the project's search attributes on a server that lacks them (an external cluster or a
// test server); a no-op where they exist. Workflows fail their tasks without them.
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.values(searchAttributeNames).filter((name) => !(name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  const keyword = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])),
  });
}
