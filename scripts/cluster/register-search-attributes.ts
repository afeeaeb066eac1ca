import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import { ensureSearchAttributes } from '../../config/temporal-search-attributes';

const usage = 'Usage: tsx scripts/cluster/register-search-attributes.ts --address 127.0.0.1:7233 --namespace default';
const attempts = 60;

// A namespace created a moment ago is unknown to the frontend until its namespace cache refreshes
// (up to ~10 s), so registration is retried for a while.
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { address: { type: 'string' }, namespace: { type: 'string' } } });
  if (!values.address || !values.namespace) throw new Error(usage);
  const connection = await Connection.connect({ address: values.address });
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await ensureSearchAttributes(connection, values.namespace);
        return;
      } catch (error) {
        if (attempt >= attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
