import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { authenticatedClient } from '../api-client';
import type { ActionTemplate } from '../api-types';
import { CliError } from '../cli-error';
import { templateIdOf } from '../named-reference';
import { printJson, printLines, printTable, type GlobalOptions } from '../output';

interface CreateOptions {
  name: string;
  body: string;
  description?: string;
}

function printTemplates(globals: GlobalOptions, templates: ActionTemplate[]): void {
  if (globals.json) return printJson(templates);
  printTable(
    ['ID', 'NAME', 'ACTION', 'DESCRIPTION'],
    templates.map((template) => [
      template._id,
      template.name,
      typeof template.body.action === 'string' ? template.body.action : '?',
      template.description ?? '',
    ]),
  );
}

// --body is inline JSON or a file holding it, as for start.
async function bodyOf(text: string): Promise<unknown> {
  const json = text.trimStart().startsWith('{') ? text : await readFile(text, 'utf8');
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new CliError(`--body is not valid JSON: ${(error as Error).message}`);
  }
}

function registerWrites(templates: Command): void {
  templates
    .command('create')
    .description('Save an action body as a template (operator); prints its id')
    .requiredOption('--name <name>', 'unique in the company')
    .requiredOption(
      '--body <file|json>',
      'a POST /fleets/{id}/actions body, e.g. \'{"action":"add_tags","tags":["x"]}\'',
    )
    .option('--description <text>', 'what it is for')
    .action(async (options: CreateOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      const body = { name: options.name, description: options.description, body: await bodyOf(options.body) };
      const created = await client.request<ActionTemplate>('POST', '/action_templates', { body });
      if (globals.json) printJson(created);
      else printLines([created._id]);
    });
  templates
    .command('delete')
    .description('Delete a template (operator)')
    .argument('<template>', 'template id or name')
    .action(async (reference: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      const id = await templateIdOf(client, reference);
      const deleted = await client.request<{ _id: string }>('DELETE', `/action_templates/${id}`);
      if (globals.json) printJson(deleted);
      else printLines([`deleted ${deleted._id}`]);
    });
}

// `fleet-actions templates ...`: the company's action templates; `start --template` runs one.
export function registerTemplatesCommand(program: Command): void {
  const templates = program
    .command('templates')
    .description('Action templates: list, get, create, delete (start one with: start <fleet> --template <name>)');
  templates
    .command('list')
    .description("The company's templates, by name")
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      printTemplates(globals, await client.request<ActionTemplate[]>('GET', '/action_templates?per_page=1000'));
    });
  templates
    .command('get')
    .description('One template with its body (JSON)')
    .argument('<template>', 'template id or name')
    .action(async (reference: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      printJson(
        await client.request<ActionTemplate>('GET', `/action_templates/${await templateIdOf(client, reference)}`),
      );
    });
  registerWrites(templates);
}
