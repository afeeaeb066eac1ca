import type { Command } from 'commander';
import { actionBodyOf, addActionOptions, type ActionOptions } from '../action-body';
import { authenticatedClient } from '../api-client';
import type { FleetActionPreview } from '../api-types';
import { fleetIdOf } from '../fleet-reference';
import { templateOf } from '../named-reference';
import { printJson, printLines, type GlobalOptions } from '../output';

function previewLines(preview: FleetActionPreview): string[] {
  const reasons = Object.entries(preview.skipped).map(([reason, count]) => `${reason} ${count}`);
  const skipped = Object.values(preview.skipped).reduce((sum, count) => sum + (count ?? 0), 0);
  return [
    `total     ${preview.total}`,
    `eligible  ${preview.eligible} (online ${preview.online}, offline ${preview.offline})`,
    `skipped   ${skipped}${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}`,
    ...(preview.canary_devices === undefined ? [] : [`canary    ${preview.canary_devices} devices`]),
  ];
}

export function registerPreviewCommand(program: Command): void {
  addActionOptions(
    program
      .command('preview')
      .description('Dry run: how many devices an action would reach, and why the others not; starts nothing')
      .argument('<fleet>', 'fleet id or name'),
  ).action(async (fleet: string, options: ActionOptions, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    const client = await authenticatedClient(globals.api);
    const template = options.template === undefined ? undefined : await templateOf(client, options.template);
    const body = await actionBodyOf(options, template);
    const fleetId = await fleetIdOf(client, fleet);
    const preview = await client.request<FleetActionPreview>('POST', `/fleets/${fleetId}/actions/preview`, { body });
    if (globals.json) printJson(preview);
    else printLines(previewLines(preview));
  });
}
