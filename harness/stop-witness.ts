import type { CommandExecutionLog } from '../simulator/command-log';

// "Stop means stop", checked where it matters, at the devices: after a rollout stops (cancel,
// abort, terminate, timeout) no device receives a command of it more than `graceMilliseconds`
// later; while it is paused, none from `graceMilliseconds` after the pause until the resume.

export const stopGraceMilliseconds = 5_000;

export interface QuietWindow {
  // What began it, for the message: "terminate", "pause", ...
  what: string;
  // When the operator (or the test) asked for it, epoch milliseconds.
  from: number;
  // When it ended (a resume); null: never (a stop).
  until: number | null;
}

export interface LateReceipt {
  executionId: string;
  what: string;
  // Milliseconds after the window began.
  afterMilliseconds: number;
}

export function receiptsInQuietWindows(
  executions: readonly CommandExecutionLog[],
  windows: readonly QuietWindow[],
  graceMilliseconds = stopGraceMilliseconds,
): LateReceipt[] {
  const late: LateReceipt[] = [];
  for (const execution of executions)
    for (const at of execution.receivedAt)
      for (const window of windows)
        if (at > window.from + graceMilliseconds && (window.until === null || at < window.until))
          late.push({ executionId: execution.executionId, what: window.what, afterMilliseconds: at - window.from });
  return late;
}
