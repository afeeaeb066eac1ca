import type { Command } from 'commander';
import type { RollbackPreview } from '../../contracts/rollback.schema';
import { parseJson } from '../action-fields';
import { authenticatedClient } from '../api-client';
import type { StartedBulkResponse } from '../api-types';
import { printJson, printLines, type GlobalOptions } from '../output';
import { watchBulkResponses } from './watch.command';

interface RollbackOptions {
  preview?: boolean;
  rollout?: string;
  watch?: boolean;
}

function previewLines(preview: RollbackPreview): string[] {
  const list = (counts: Record<string, number | undefined>) =>
    Object.entries(counts).map(([name, count]) => `${name} ${count}`);
  const skipped = Object.values(preview.skipped).reduce((sum, count) => sum + (count ?? 0), 0);
  const reasons = list(preview.skipped);
  return [
    `undoes    ${preview.action} of ${preview.parent_id}`,
    `total     ${preview.total} devices it acted on`,
    `eligible  ${preview.eligible} (online ${preview.online}, offline ${preview.offline})`,
    `skipped   ${skipped}${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}`,
    `undo      ${list(preview.undo).join(', ') || 'nothing'}`,
    ...(preview.rollback_command ? [`sends     ${preview.rollback_command}`] : []),
  ];
}

export function registerRollbackCommand(program: Command): void {
  program
    .command('rollback')
    .description('Undo what an ended bulk response did on the devices it acted on (a new bulk response); prints its id')
    .argument('<id>', 'the bulk response to roll back')
    .option('--preview', 'dry run: what the rollback would touch, per kind of undo; starts nothing')
    .option('--rollout <json>', "the rollback's own rollout controls as JSON, e.g. '{\"rate_per_minute\":600}'")
    .option('--watch', 'follow the rollback live; exit code as for watch')
    .action(async (id: string, options: RollbackOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const body = options.rollout ? { rollout: parseJson(options.rollout, '--rollout') } : {};
      const client = await authenticatedClient(globals.api);
      if (options.preview) {
        const preview = await client.request<RollbackPreview>('POST', `/bulk_responses/${id}/rollback/preview`, {
          body,
        });
        if (globals.json) printJson(preview);
        else printLines(previewLines(preview));
        return;
      }
      const started = await client.request<StartedBulkResponse>('POST', `/bulk_responses/${id}/rollback`, { body });
      if (globals.json && !options.watch) printJson(started);
      else if (!globals.json) printLines([started.bulk_response_id]);
      if (options.watch) process.exitCode = await watchBulkResponses(client, [started.bulk_response_id], globals);
    });
}
