import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestDatabase } from '../../harness/test-database';
import { openDatabase } from '../../registry/database';
import { openTestDatabase } from '../support/test-database';

// A service that answers requests opens its connections at start, so no request pays for one.
let registry: TestDatabase;
before(async () => {
  registry = await openTestDatabase();
});
after(() => registry.close());

const sessionsOf = async (applicationName: string) => {
  const [row] = await registry.query<{ sessions: number }>(
    'select count(*)::int as sessions from pg_stat_activity where datname = current_database() and application_name = $1',
    [applicationName],
  );
  return row?.sessions ?? 0;
};

test('when a pool keeps its connections open, then all of them are open once it is, and named', async () => {
  const service = await openDatabase({
    databaseUrl: registry.url,
    applicationName: 'pool-test-kept',
    keepConnectionsOpen: true,
  });
  try {
    assert.equal(await sessionsOf('pool-test-kept'), 10);
  } finally {
    await service.close();
  }
});

test('when a pool does not keep them, then it opens what its queries need', async () => {
  const tool = await openDatabase({ databaseUrl: registry.url, applicationName: 'pool-test-on-demand' });
  try {
    assert.equal(await sessionsOf('pool-test-on-demand'), 1);
  } finally {
    await tool.close();
  }
});
