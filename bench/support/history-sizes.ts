import type { Client } from '@temporalio/client';

export interface LargestHistory {
  executions: number;
  workflowId: string;
  runId: string;
  workflowType: string;
  events: number;
}

// Every run the benchmark created (the dev server is fresh per run, so that is every execution it
// lists, closed runs of continue-as-new included) and the one with the longest history.
export async function largestHistory(client: Client): Promise<LargestHistory | undefined> {
  let largest: LargestHistory | undefined;
  let executions = 0;
  for await (const execution of client.workflow.list()) {
    executions += 1;
    const events =
      execution.historyLength ||
      (await client.workflow.getHandle(execution.workflowId, execution.runId).describe()).historyLength;
    if (!largest || events > largest.events) {
      largest = {
        executions: 0,
        workflowId: execution.workflowId,
        runId: execution.runId,
        workflowType: execution.type,
        events,
      };
    }
  }
  return largest && { ...largest, executions };
}
