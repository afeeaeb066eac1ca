import type { Command } from 'commander';
import { authenticatedClient } from '../api-client';
import type { BulkResponse } from '../api-types';
import { fleetIdOf } from '../fleet-reference';
import { printJson, printTable, type GlobalOptions } from '../output';

interface ListOptions {
  fleet?: string;
  status?: string;
  action?: string;
  limit: string;
}

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('Bulk responses, newest first, with their live status and counts')
    .option('--fleet <fleet>', 'only this fleet (id or name)')
    .option('--status <status>', 'only this status, e.g. processing')
    .option('--action <action>', 'only this action, e.g. issue_command')
    .option('--limit <n>', 'how many', '20')
    .action(async (options: ListOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      const query = new URLSearchParams({ per_page: options.limit });
      if (options.fleet) query.set('fleet_id', await fleetIdOf(client, options.fleet));
      if (options.status) query.set('status', options.status);
      if (options.action) query.set('action', options.action);
      const responses = await client.request<BulkResponse[]>('GET', `/bulk_responses?${query.toString()}`);
      if (globals.json) return printJson(responses);
      printTable(
        ['ID', 'ACTION', 'STATUS', 'SUCCESS', 'FAIL', 'TIMED_OUT', 'SKIPPED', 'TOTAL', 'CREATED'],
        responses.map((item) => [
          item._id,
          item.action,
          item.status,
          ...[item.counts.success, item.counts.fail, item.counts.timed_out, item.counts.skipped, item.counts.total].map(
            String,
          ),
          item.created_at,
        ]),
      );
    });
}
