import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/config';
import { searchAttributeNames } from '../contracts/search-attributes';

// npm run record-histories [-- --limit N]: saves the newest closed execution of each fleet
// action (and of each batch workflow) from a running stack as JSON under test/histories/, where
// the replay test checks that today's workflow code still replays them deterministically.
const { values } = parseArgs({ options: { limit: { type: 'string', default: '1' }, out: { type: 'string', default: 'test/histories' } } });
const config = loadConfig();
const connection = await Connection.connect({ address: config.temporal.address });
const client = new Client({ connection, namespace: config.temporal.namespace });
const actions = ['issue_command', 'add_tags', 'add_metadata', 'update_heartbeat', 'send_configuration'];
mkdirSync(values.out, { recursive: true });

async function record(query: string, name: string): Promise<number> {
  let saved = 0;
  for await (const execution of client.workflow.list({ query })) {
    if (saved >= Number(values.limit)) break;
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const file = path.join(values.out, `${name}${saved === 0 ? '' : `-${saved}`}.json`);
    writeFileSync(file, JSON.stringify({ workflowId: execution.workflowId, workflowType: execution.type, history }, null, 1));
    console.log(`${file}: ${execution.type} ${execution.workflowId} (${history.events?.length ?? 0} events)`);
    saved += 1;
  }
  return saved;
}

for (const action of actions) {
  const closed = `ExecutionStatus != 'Running' and ${searchAttributeNames.action} = '${action}'`;
  if ((await record(`WorkflowType = 'bulkActionWorkflow' and ${closed}`, action)) === 0) console.log(`no closed ${action} execution to record`);
  await record(`WorkflowType = 'deviceBatchWorkflow' and ${closed}`, `${action}-batch`);
}
await connection.close();
