import type { Command } from 'commander';
import { authenticatedClient } from '../api-client';
import type { BulkResponse } from '../api-types';
import { printJson, printLines, type GlobalOptions } from '../output';
import { summaryOf } from '../progress-view';

const controls = [
  ['pause', 'Pause: devices in flight finish, nothing new is sent until resume'],
  ['resume', 'Resume a paused bulk response'],
  ['cancel', 'Cancel: nothing more is sent; devices not reached end canceled'],
] as const;

export function registerControlCommands(program: Command): void {
  for (const [verb, description] of controls) {
    program
      .command(verb)
      .description(description)
      .argument('<id>', 'bulk response id')
      .action(async (id: string, _options: unknown, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const client = await authenticatedClient(globals.api);
        const view = await client.request<BulkResponse>('POST', `/bulk_responses/${id}/${verb}`);
        if (globals.json) printJson(view);
        else printLines([summaryOf(view)]);
      });
  }
}
