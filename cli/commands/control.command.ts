import type { Command } from 'commander';
import { authenticatedClient } from '../api-client';
import type { BulkResponse } from '../api-types';
import { printJson, printLines, type GlobalOptions } from '../output';
import { summaryOf } from '../progress-view';

const controls = [
  ['pause', 'Pause: nothing is sent (re-sends included) until resume; devices with the command may answer'],
  ['resume', 'Resume a paused bulk response'],
  ['cancel', 'Cancel: nothing more is sent; devices not reached end canceled, those with the command answer'],
] as const;

const decisions = [
  ['approve', 'Approve the stage it waits to start (you must not be the one who started it)'],
  ['reject', 'Reject the stage it waits to start: it ends aborted'],
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
  for (const [verb, description] of decisions) {
    program
      .command(verb)
      .description(description)
      .argument('<id>', 'bulk response id')
      .option('--comment <text>', 'kept with the decision')
      .action(async (id: string, options: { comment?: string }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const client = await authenticatedClient(globals.api);
        const body = options.comment ? { comment: options.comment } : {};
        const view = await client.request<BulkResponse>('POST', `/bulk_responses/${id}/${verb}`, { body });
        if (globals.json) printJson(view);
        else printLines([summaryOf(view)]);
      });
  }
}
