import { rollbackSummary } from '../contracts/rollout-summary';
import { createHash } from 'node:crypto';
import type { BulkActionRequest, DeviceSource, ResolvedCommand } from '../contracts/bulk-action.types';
import { actionNames, isDeviceAction, type ActionName } from '../contracts/action-catalogue';
import type { Rollout } from '../contracts/fleet-action.schema';
import { rollbackRolloutOf } from '../contracts/rollback';
import { bulkActionRequestSchema } from '../contracts/send-commands-bulk.schema';
import { isTerminalBulkStatus, type DeviceStatus } from '../contracts/statuses';
import type { RollbackParent } from '../registry/rollbacks.repository';
import type { ExecutionStart } from './start-execution';

// Why a bulk response cannot be rolled back: always its state (the API answers 409), never the
// request's shape, which the body schema checks.
export class RollbackRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RollbackRefused';
  }
}

// A parent has one rollback, whoever starts it (an operator or the engine after an abort): its id
// is derived from the parent's, so two starts meet on the same record and the same execution.
export function rollbackIdOf(parentId: string): string {
  return createHash('sha256').update(`rollback\u0000${parentId}`).digest('hex').slice(0, 24);
}

export interface RollbackOptions {
  // The rollback's own rollout controls (default: the parent's pace, deadline, retries, windows).
  rollout?: Rollout | undefined;
  // A retry of a rollback: only its devices that ended in these statuses.
  retried?: { bulkResponseId: string; statuses: DeviceStatus[] };
}

export type PlannedRollback = Omit<ExecutionStart, 'bulkResponseId' | 'createdBy' | 'startedBy'>;

// What a rollback of `parent` starts: the parent's request (what it undoes) with the rollback's
// rollout, over the devices the parent acted on, sending the command resolved when the parent
// started (registry actions need none: the parent's rows say what to put back).
export function planRollback(parent: RollbackParent, options: RollbackOptions = {}): PlannedRollback {
  if (parent.rollback_of)
    throw new RollbackRefused(`Bulk response ${parent.id} is itself a rollback; it cannot be rolled back`);
  if (!isTerminalBulkStatus(parent.status))
    throw new RollbackRefused(`Bulk response is ${parent.status}; roll it back once it ends`);
  const action = actionOf(parent.action);
  const parentRequest = bulkActionRequestSchema.parse(parent.request);
  const command = isDeviceAction(action) ? rollbackCommandOf(parent, action) : undefined;
  const rollout = options.rollout ?? rollbackRolloutOf(parentRequest.rollout);
  const request: BulkActionRequest = { ...parentRequest };
  delete request.rollout;
  if (rollout) request.rollout = rollout;
  const source: DeviceSource = {
    kind: 'rollback',
    parentBulkResponseId: parent.id,
    action,
    ...(options.retried ? { retried: options.retried } : {}),
  };
  return {
    companyId: parent.company_id,
    fleetId: parent.fleet_id,
    parentId: options.retried?.bulkResponseId ?? parent.id,
    rollbackOf: parent.id,
    request,
    source,
    command,
    rollbackCommand: null,
    summary: rollbackSummary(parent.id, action, command),
  };
}

function actionOf(name: string): ActionName {
  const action = actionNames.find((candidate) => candidate === name);
  if (!action) throw new RollbackRefused(`Bulk response action ${name} cannot be rolled back`);
  return action;
}

// issue_command: its rollback_command; send_configuration: its own command, each device's version
// taken from its row in the parent (`restoreFrom`).
function rollbackCommandOf(parent: RollbackParent, action: ActionName): ResolvedCommand {
  const command = parent.rollback_command;
  if (!command) {
    throw new RollbackRefused(
      action === 'issue_command'
        ? 'Bulk response has no rollback_command: a command cannot be undone without one (give rollback_command when starting issue_command)'
        : 'Bulk response recorded nothing a rollback could send',
    );
  }
  if (!command.setting) return command;
  return { ...command, setting: { ...command.setting, restoreFrom: parent.id } };
}
