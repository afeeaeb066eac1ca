import { readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

// On one machine the rollout's work shares the cores with the API: at a lower priority it yields
// them, so an operator's reads are not queued behind a rollout. Rollouts lose only the time reads
// take. Where the OS refuses, nothing changes.
//
// A process's niceness alone does not do it on Linux: with autogroups (the default on desktop and
// server kernels alike) the scheduler first shares the cores between sessions, and niceness only
// weighs processes within one. Every service of the stack runs in a session of its own (it is
// started detached), and so does every PostgreSQL backend (postgres calls setsid), so each is
// given as much as the API whatever its niceness. The session's own niceness
// (/proc/<pid>/autogroup, sched(7)) is what weighs it against the API's; it is set too, but only
// for a session that is not the caller's (that one holds the user's shell).
export async function yieldToReads(pid: number | undefined, niceness: number): Promise<void> {
  if (pid === undefined || niceness === 0) return;
  try {
    setPriority(pid, niceness);
  } catch {
    // Not permitted here, or the process is gone: it keeps the caller's priority.
  }
  await lowerSessionPriority(pid, niceness);
}

const autogroupFile = (pid: number | 'self') => `/proc/${pid}/autogroup`;
// Without CAP_SYS_ADMIN the kernel takes one such change per 100 ms, machine-wide (EAGAIN).
const busyRetries = 20;
const busyRetryMilliseconds = 110;

function sessionGroupOf(pid: number | 'self'): string | undefined {
  try {
    return readFileSync(autogroupFile(pid), 'utf8').split(' ')[0];
  } catch {
    return undefined; // Not Linux, no autogroups, or the process is gone.
  }
}

async function lowerSessionPriority(pid: number, niceness: number): Promise<void> {
  const group = sessionGroupOf(pid);
  if (group === undefined || group === sessionGroupOf('self')) return;
  for (let attempt = 0; attempt < busyRetries; attempt += 1) {
    try {
      writeFileSync(autogroupFile(pid), String(niceness));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      await sleep(busyRetryMilliseconds);
    }
  }
}
