import type { BulkActionRequest, ResolvedCommand } from '../../contracts/bulk-action.types';
import type { Queryable } from '../../registry/database';
import { BadRequestError, HttpError, NotFoundError } from '../errors';
import { resolveCommand } from './resolve-action-target.service';

// What a rollback of this request would send, resolved when the request starts (a bad
// rollback_command is a 400 now, not a surprise when a rollout aborts): issue_command's
// rollback_command, or for send_configuration its own command (each device then gets back the
// version it had). Registry actions need none; their rows say what to put back.
export async function resolveRollbackCommand(
  database: Queryable,
  companyId: string,
  request: BulkActionRequest,
  command: ResolvedCommand | undefined,
): Promise<ResolvedCommand | null> {
  if (request.action === 'send_configuration') return command ?? null;
  if (request.action !== 'issue_command' || !('rollback_command' in request)) return null;
  const rollbackCommand = request.rollback_command;
  if (!rollbackCommand) {
    if (!request.rollout?.rollback) return null;
    throw new BadRequestError('Invalid request: rollback_command', [
      {
        field: 'rollback_command',
        message: 'rollout.rollback needs a rollback_command for issue_command: a command cannot be undone otherwise',
      },
    ]);
  }
  try {
    return (await resolveCommand(database, companyId, { action: 'issue_command', ...rollbackCommand }))!;
  } catch (error) {
    if (error instanceof NotFoundError) throw new NotFoundError('Rollback command');
    if (error instanceof HttpError && error.status === 400) {
      const details = error.details?.map((detail) => ({ ...detail, field: `rollback_command.${detail.field}` }));
      throw new BadRequestError('Invalid request: rollback_command', details);
    }
    throw error;
  }
}
