// When each command execution reached a device and when the device acted on it: what a test needs
// to say "no device received a command of this rollout after it stopped" and "each act is counted
// once", per bulk response, however many rollouts share the simulated fleet. Kept apart from the
// counters in SimulatorStats (which are summed and printed as JSON); bounded so a long simulator
// run cannot grow it without end.

export interface CommandExecutionLog {
  executionId: string;
  // Every time a copy of the command arrived (epoch milliseconds): the first `copiesKept`, the
  // last of them replaced by later copies, so the latest receipt is always there.
  receivedAt: number[];
  // When the device acted on it (at most once); undefined if it never did.
  actedAt: number | undefined;
}

const executionsKept = 200_000;
const copiesKept = 100;

export interface CommandLog {
  received(executionId: string, at: number): void;
  acted(executionId: string, at: number): void;
  // Executions whose id starts with the prefix (a bulk response's are `<bulk_response_id>.`).
  executions(prefix: string): CommandExecutionLog[];
}

export function createCommandLog(): CommandLog {
  const byExecution = new Map<string, CommandExecutionLog>();
  const entryOf = (executionId: string): CommandExecutionLog => {
    let entry = byExecution.get(executionId);
    if (!entry) {
      entry = { executionId, receivedAt: [], actedAt: undefined };
      byExecution.set(executionId, entry);
      if (byExecution.size > executionsKept) byExecution.delete(byExecution.keys().next().value as string);
    }
    return entry;
  };
  return {
    received: (executionId, at) => {
      const entry = entryOf(executionId);
      if (entry.receivedAt.length < copiesKept) entry.receivedAt.push(at);
      else entry.receivedAt[copiesKept - 1] = at;
    },
    acted: (executionId, at) => {
      entryOf(executionId).actedAt ??= at;
    },
    executions: (prefix) =>
      [...byExecution.values()]
        .filter((entry) => entry.executionId.startsWith(prefix))
        .map((entry) => ({ ...entry, receivedAt: [...entry.receivedAt] })),
  };
}
