import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { loadConfig } from '../config/config';
import { actionNames } from '../contracts/action-catalogue';
import { batchWorkflowId } from '../contracts/ids';
import { searchAttributeNames } from '../contracts/search-attributes';

// npm run record-histories [-- --limit N]: saves the newest closed execution of each action of
// the catalogue (and its first batch workflow) from a running stack as JSON under
// test/histories/v2/ (v1/ holds the first generation's), where
// the replay test checks that today's workflow code still replays them deterministically.
const { values } = parseArgs({
  options: { limit: { type: 'string', default: '1' }, out: { type: 'string', default: 'test/histories/v2' } },
});
const config = loadConfig();
const connection = await Connection.connect({ address: config.temporal.address });
const client = new Client({ connection, namespace: config.temporal.namespace });
mkdirSync(values.out, { recursive: true });

async function save(workflowId: string, runId: string | undefined, file: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
  const json = proto.temporal.api.history.v1.History.toObject(history as never, {
    longs: String,
    enums: String,
    bytes: String,
  });
  const recorded = { workflowId, workflowType: description.type, history: json };
  writeFileSync(file, JSON.stringify(recorded, null, 1));
  console.log(`${file}: ${description.type} ${workflowId} (${history.events?.length ?? 0} events)`);
}

// Batch children carry no search attributes of their own; their ids derive from the parent's.
async function record(action: string): Promise<void> {
  const query = `WorkflowType = 'rolloutWorkflow' and ExecutionStatus != 'Running' and ${searchAttributeNames.action} = '${action}'`;
  let saved = 0;
  for await (const execution of client.workflow.list({ query })) {
    if (saved >= Number(values.limit)) break;
    const suffix = saved === 0 ? '' : `-${saved}`;
    await save(execution.workflowId, execution.runId, path.join(values.out, `${action}${suffix}.json`));
    const batchId = batchWorkflowId(execution.workflowId, 0);
    const batch = await client.workflow
      .getHandle(batchId)
      .describe()
      .catch(() => undefined);
    if (batch) await save(batchId, batch.runId, path.join(values.out, `${action}-batch${suffix}.json`));
    saved += 1;
  }
  if (saved === 0) console.log(`no closed ${action} execution to record`);
}

for (const action of actionNames) await record(action);
await connection.close();
