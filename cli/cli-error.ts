// A failure the operator can act on: printed as one line (or JSON with --json), exit code 2 so
// scripts tell "the command could not run" from watch's "the rollout did not complete" (1).
export class CliError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const exitCodes = { success: 0, notCompleted: 1, failure: 2 } as const;
