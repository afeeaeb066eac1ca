import type { Command } from 'commander';
import { authenticatedClient } from '../api-client';
import type { StartedBulkResponse } from '../api-types';
import { printJson, printLines, type GlobalOptions } from '../output';
import { watchBulkResponses } from './watch.command';

interface RetryOptions {
  statuses?: string;
  watch?: boolean;
}

export function registerRetryCommand(program: Command): void {
  program
    .command('retry')
    .description('A new bulk response over the devices that ended fail or timed_out (or --statuses); prints its id')
    .argument('<id>', 'the bulk response to retry')
    .option('--statuses <list>', 'device statuses to retry, e.g. fail,timed_out,canceled')
    .option('--watch', 'follow the new bulk response live; exit code as for watch')
    .action(async (id: string, options: RetryOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      const body = options.statuses
        ? { statuses: options.statuses.split(',').map((status) => status.trim()) }
        : undefined;
      const started = await client.request<StartedBulkResponse>('POST', `/bulk_responses/${id}/retry`, { body });
      if (globals.json && !options.watch) printJson(started);
      else if (!globals.json) printLines([started.bulk_response_id]);
      if (options.watch) process.exitCode = await watchBulkResponses(client, [started.bulk_response_id], globals);
    });
}
