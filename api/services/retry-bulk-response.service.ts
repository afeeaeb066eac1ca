import type { BulkActionRequest } from '../../contracts/bulk-action.types';
import { bulkActionRequestSchema } from '../../contracts/send-commands-bulk.schema';
import { isTerminalBulkStatus, type FinalDeviceStatus } from '../../contracts/statuses';
import type { Caller } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { ConflictError } from '../errors';
import { findCompanyBulkResponse } from './bulk-response-view.service';
import { resolveCommand } from './resolve-action-target.service';
import { retryRollback } from './rollback-bulk-response.service';
import { retrySummary } from '../../contracts/rollout-summary';
import { startBulkAction, type StartedBulkAction } from './start-bulk-action.service';

type RetriedStatus = Exclude<FinalDeviceStatus, 'success'>;

// A new bulk response over the devices that ended in `statuses` (by default `fail` or
// `timed_out`; `canceled` resumes an aborted rollout after a fix), linked by parent_id.
export async function retryBulkResponse(
  dependencies: ApiDependencies,
  caller: Caller,
  parentId: string,
  statuses: RetriedStatus[] = ['fail', 'timed_out'],
): Promise<StartedBulkAction> {
  const parent = await findCompanyBulkResponse(dependencies, caller.companyId, parentId);
  if (!isTerminalBulkStatus(parent.status))
    throw new ConflictError('Bulk response is still running; retry it once it ends');
  if (statuses.every((status) => parent.counts[status] === 0))
    throw new ConflictError(`Bulk response has no devices that ended ${statuses.join(' or ')}`);
  // A rollback's retry undoes the same parent again, on the rollback's devices in those statuses.
  if (parent.rollback_of) return retryRollback(dependencies, caller, parent, statuses);
  const request = retryOf(bulkActionRequestSchema.parse(parent.request));
  const command = await resolveCommand(dependencies.database, caller.companyId, request);
  return startBulkAction(dependencies, {
    caller,
    fleetId: parent.fleet_id,
    parentId,
    request,
    source: { kind: 'retry', parentBulkResponseId: parentId, statuses },
    command,
    summary: retrySummary(parentId, request.action, command, statuses),
  });
}

// A retry re-sends to named devices now: the parent's start time and continuous sweep do not
// apply (its maintenance windows and other controls do).
function retryOf(request: BulkActionRequest): BulkActionRequest {
  if (!request.rollout) return request;
  const rollout = { ...request.rollout };
  delete rollout.start_at;
  delete rollout.continuous;
  return { ...request, rollout };
}
