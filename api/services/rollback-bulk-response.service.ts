import type { DeviceStatus } from '../../contracts/statuses';
import type { RollbackBody } from '../../contracts/rollback.schema';
import {
  planRollback,
  rollbackIdOf,
  RollbackRefused,
  type PlannedRollback,
  type RollbackOptions,
} from '../../engine-start/rollback-plan';
import type { BulkResponseRecord } from '../../registry/bulk-responses.repository';
import { newObjectId } from '../../registry/object-id';
import { findRollbackOf, findRollbackParent, type RollbackParent } from '../../registry/rollbacks.repository';
import type { Caller } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { ConflictError, NotFoundError } from '../errors';
import { startBulkAction, type StartedBulkAction } from './start-bulk-action.service';

export async function findParent(dependencies: ApiDependencies, companyId: string, id: string) {
  const parent = await findRollbackParent(dependencies.database, companyId, id);
  if (!parent) throw new NotFoundError('Bulk response');
  return parent;
}

// The rollback a POST .../rollback would start, or why not (409: running, a rollback itself, or
// rolled back already; 400: nothing it could send).
export async function plannedRollbackOf(
  dependencies: ApiDependencies,
  parent: RollbackParent,
  body: RollbackBody,
): Promise<PlannedRollback> {
  const planned = plan(parent, { rollout: body.rollout });
  const existing = await findRollbackOf(dependencies.database, parent.id);
  if (existing)
    throw new ConflictError(
      `Bulk response ${parent.id} was already rolled back by ${existing.id} (${existing.status})`,
    );
  return planned;
}

function plan(parent: RollbackParent, options: RollbackOptions): PlannedRollback {
  try {
    return planRollback(parent, options);
  } catch (error) {
    if (!(error instanceof RollbackRefused)) throw error;
    throw new ConflictError(error.message);
  }
}

// A new bulk response that undoes what `parentId` did on the devices it acted on, linked by
// parent_id and rollback_of; its id is derived from the parent's, so there is one per parent.
export async function rollbackBulkResponse(
  dependencies: ApiDependencies,
  caller: Caller,
  parentId: string,
  body: RollbackBody,
): Promise<StartedBulkAction> {
  const parent = await findParent(dependencies, caller.companyId, parentId);
  const planned = await plannedRollbackOf(dependencies, parent, body);
  const id = rollbackIdOf(parentId);
  return startBulkAction(dependencies, {
    ...startOf(caller, planned),
    rollback: { of: parentId, id, whenTaken: `Bulk response ${parentId} was already rolled back by ${id}` },
  });
}

// A retry of a rollback is a rollback too: of the same parent, over the rollback's devices that
// ended in `statuses`, with the rollback's own rollout.
export async function retryRollback(
  dependencies: ApiDependencies,
  caller: Caller,
  rollback: BulkResponseRecord,
  statuses: DeviceStatus[],
): Promise<StartedBulkAction> {
  const parent = await findParent(dependencies, caller.companyId, rollback.rollback_of!);
  const rollout = (rollback.request as RollbackBody).rollout;
  const planned = plan(parent, { rollout, retried: { bulkResponseId: rollback._id, statuses } });
  const id = newObjectId();
  return startBulkAction(dependencies, {
    ...startOf(caller, planned),
    rollback: { of: parent.id, id, whenTaken: `Bulk response ${id} already exists` },
  });
}

function startOf(caller: Caller, planned: PlannedRollback) {
  return {
    caller,
    fleetId: planned.fleetId,
    parentId: planned.parentId!,
    request: planned.request,
    source: planned.source,
    command: planned.command,
    summary: planned.summary,
  };
}
