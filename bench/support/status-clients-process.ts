import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BulkStatus } from '../../contracts/statuses';
import type { StatusClientsTally } from './status-clients';
import type { StatusRegression } from './status-regression-watch';

const childPath = fileURLToPath(new URL('./status-clients-child.ts', import.meta.url));

export interface StatusClientsPlan {
  baseUrl: string;
  authorization: string;
  rolloutId: string;
  smallFleetId: string;
  clients: number;
  posters: number;
  minutes: number;
  pollThinkMs: number;
  postThinkMs: number;
}

export interface StatusClientsOutcome {
  tally: StatusClientsTally;
  // The rollout's final status once an answer showed one; null if the time bound came first.
  finalStatus: BulkStatus | null;
  backwards: { count: number; examples: StatusRegression[] };
}

// Runs the polling and posting clients in a child process until the rollout ends or the time
// bound passes, and answers what they measured.
export function runStatusClientsProcess(plan: StatusClientsPlan, directory: string): Promise<StatusClientsOutcome> {
  const planFile = path.join(directory, 'status-clients-plan.json');
  writeFileSync(planFile, JSON.stringify(plan), { mode: 0o600 });
  const child = fork(childPath, [planFile], { execArgv: ['--import', 'tsx'], stdio: 'inherit', detached: true });
  return new Promise((resolve, reject) => {
    let outcome: StatusClientsOutcome | undefined;
    child.on('message', (message: { kind: string; outcome: StatusClientsOutcome }) => {
      if (message.kind === 'done') outcome = message.outcome;
    });
    child.once('exit', (code) =>
      outcome ? resolve(outcome) : reject(new Error(`status clients process exited (${code}) without an outcome`)),
    );
  });
}
