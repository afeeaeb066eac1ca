import { bulkActionRequestSchema } from '../../contracts/send-commands-bulk.schema';
import { isTerminalBulkStatus } from '../../contracts/statuses';
import type { Caller } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { ConflictError } from '../errors';
import { findCompanyBulkResponse } from './bulk-response-view.service';
import { resolveCommand } from './resolve-action-target.service';
import { startBulkAction, type StartedBulkAction } from './start-bulk-action.service';

// A new bulk response over the devices that ended `fail` or `timed_out`, linked by parent_id.
export async function retryBulkResponse(
  dependencies: ApiDependencies,
  caller: Caller,
  parentId: string,
): Promise<StartedBulkAction> {
  const parent = await findCompanyBulkResponse(dependencies, caller.companyId, parentId);
  if (!isTerminalBulkStatus(parent.status))
    throw new ConflictError('Bulk response is still running; retry it once it ends');
  if (parent.counts.fail + parent.counts.timed_out === 0)
    throw new ConflictError('Bulk response has no failed or timed out devices');
  const request = bulkActionRequestSchema.parse(parent.request);
  const command = await resolveCommand(dependencies.database, caller.companyId, request);
  return startBulkAction(dependencies, {
    caller,
    fleetId: parent.fleet_id,
    parentId,
    request,
    source: { kind: 'retry', parentBulkResponseId: parentId },
    command,
    summary: `retry of ${parentId}: ${command?.name ?? request.action}`,
  });
}
