import type { Command } from 'commander';
import { authenticatedClient } from '../api-client';
import { listFleets } from '../fleet-reference';
import { printJson, printTable, type GlobalOptions } from '../output';

export function registerFleetsCommand(program: Command): void {
  program
    .command('fleets')
    .description("List the company's fleets (id and name; either can be given to preview and start)")
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const fleets = await listFleets(await authenticatedClient(globals.api));
      if (globals.json) printJson(fleets);
      else
        printTable(
          ['ID', 'NAME'],
          fleets.map((fleet) => [fleet._id, fleet.name]),
        );
    });
}
