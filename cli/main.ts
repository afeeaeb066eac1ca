import { Command, CommanderError } from 'commander';
import { defaultApiUrl } from './cli-environment';
import { exitCodes } from './cli-error';
import { registerAuditCommand } from './commands/audit.command';
import { registerComplianceCommand } from './commands/compliance.command';
import { registerControlCommands } from './commands/control.command';
import { registerFleetsCommand } from './commands/fleets.command';
import { registerListCommand } from './commands/list.command';
import { registerLoginCommand, registerLogoutCommand } from './commands/login.command';
import { registerPreviewCommand } from './commands/preview.command';
import { registerRetryCommand } from './commands/retry.command';
import { registerRollbackCommand } from './commands/rollback.command';
import { registerStartCommand } from './commands/start.command';
import { registerTemplatesCommand } from './commands/templates.command';
import { registerWatchCommand } from './commands/watch.command';
import { registerWebhooksCommand } from './commands/webhooks.command';

function buildProgram(): Command {
  const program = new Command('fleet-actions')
    .description('Run and follow fleet bulk actions from the command line')
    .exitOverride()
    .option(
      '--api <url>',
      'API base URL (else FLEET_ACTIONS_API, else http://127.0.0.1:$PORT, PORT 3000)',
      defaultApiUrl(),
    )
    .option('--json', 'machine-readable output')
    .showHelpAfterError();
  registerLoginCommand(program);
  registerLogoutCommand(program);
  registerFleetsCommand(program);
  registerPreviewCommand(program);
  registerStartCommand(program);
  registerWatchCommand(program);
  registerListCommand(program);
  registerControlCommands(program);
  registerRetryCommand(program);
  registerRollbackCommand(program);
  registerWebhooksCommand(program);
  registerTemplatesCommand(program);
  registerAuditCommand(program);
  registerComplianceCommand(program);
  return program;
}

function report(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? exitCodes.success : exitCodes.failure;
  }
  if (error instanceof Error && error.name === 'AbortError') return 130;
  const message = error instanceof Error ? error.message : String(error);
  if (json) process.stderr.write(`${JSON.stringify({ error: message })}\n`);
  else process.stderr.write(`fleet-actions: ${message}\n`);
  return exitCodes.failure;
}

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error, program.opts<{ json?: boolean }>().json === true);
}
