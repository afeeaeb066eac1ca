import type { Command } from 'commander';
import { authenticatedClient, type ApiClient } from '../api-client';
import type { BulkResponse } from '../api-types';
import { exitCodes } from '../cli-error';
import { followBulkResponse } from '../event-stream';
import { printJson, printLines, type GlobalOptions } from '../output';
import { createProgressView, summaryOf } from '../progress-view';

// Follows every id at once until each has ended; 0 only if all ended `completed`.
export async function watchBulkResponses(client: ApiClient, ids: string[], globals: GlobalOptions): Promise<number> {
  const quiet = globals.json === true;
  const view = quiet ? undefined : createProgressView(ids, process.stdout.isTTY === true);
  const interrupted = new AbortController();
  const interrupt = () => interrupted.abort();
  process.once('SIGINT', interrupt);
  let finals: BulkResponse[];
  try {
    finals = await Promise.all(
      ids.map((id) => followBulkResponse(client, id, (status) => view?.update(status), interrupted.signal)),
    );
  } catch (error) {
    // One id failed (unknown, forbidden): stop following the others too, so the process ends.
    interrupted.abort();
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
    view?.stop();
  }
  if (quiet) printJson(finals.map(({ _id, status, counts, links }) => ({ _id, status, counts, links })));
  else printLines(finals.map((final) => `${summaryOf(final)}\n  ${final.links?.temporal_ui ?? ''}`));
  return finals.every((final) => final.status === 'completed') ? exitCodes.success : exitCodes.notCompleted;
}

export function registerWatchCommand(program: Command): void {
  program
    .command('watch')
    .description(
      'Live progress of bulk responses until they end (each: a bar and counts, rate and ETA or the deadlines it waits for, the current stage, an approval it needs, what it waits for, wrapped to the terminal); exit code 0 only if every one ends completed, 1 otherwise',
    )
    .argument('<id...>', 'bulk response ids')
    .action(async (ids: string[], _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      process.exitCode = await watchBulkResponses(await authenticatedClient(globals.api), ids, globals);
    });
}
