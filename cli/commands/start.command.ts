import type { Command } from 'commander';
import { actionBodyOf, addActionOptions, type ActionOptions } from '../action-body';
import { authenticatedClient } from '../api-client';
import type { StartedBulkResponse } from '../api-types';
import { fleetIdOf } from '../fleet-reference';
import { templateOf } from '../named-reference';
import { printJson, printLines, type GlobalOptions } from '../output';
import { watchBulkResponses } from './watch.command';

interface StartOptions extends ActionOptions {
  idempotencyKey?: string;
  watch?: boolean;
}

export function registerStartCommand(program: Command): void {
  addActionOptions(
    program
      .command('start')
      .description('Start a fleet action; prints the bulk_response_id (add --watch to follow it to the end)')
      .argument('<fleet>', 'fleet id or name'),
  )
    .option('--idempotency-key <key>', 'the same key and body start nothing new and return the same id')
    .option('--watch', 'follow the bulk response live; exit code as for watch')
    .action(async (fleet: string, options: StartOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      const template = options.template === undefined ? undefined : await templateOf(client, options.template);
      const body = await actionBodyOf(options, template);
      const fleetId = await fleetIdOf(client, fleet);
      const headers: Record<string, string> = options.idempotencyKey
        ? { 'Idempotency-Key': options.idempotencyKey }
        : {};
      const started = await client.request<StartedBulkResponse>('POST', `/fleets/${fleetId}/actions`, {
        body,
        headers,
      });
      if (globals.json && !options.watch) printJson(started);
      // The id alone on stdout, so ID=$(fleet-actions start ...) works; the rest is for people.
      else if (!globals.json) {
        printLines([started.bulk_response_id]);
        process.stderr.write(`Temporal UI: ${started.links.temporal_ui}\n`);
      }
      if (options.watch) process.exitCode = await watchBulkResponses(client, [started.bulk_response_id], globals);
    });
}
