import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { RolloutView } from '../../contracts/bulk-action.types';
import { isTerminalBulkStatus } from '../../contracts/statuses';
import type { ApiDependencies } from '../dependencies';
import { ConflictError, ForbiddenError } from '../errors';
import { findCompanyBulkResponse, viewBulkResponse, type BulkResponseView } from './bulk-response-view.service';

// The steering Updates (pause, resume, cancel, approve, reject) as the API sends them: on the
// caller's own bulk response only, refused with 409 once it ended, and answered with the view the
// rollout reached (its record shows it by the time the Update returns).
export async function steerRollout(
  dependencies: ApiDependencies,
  companyId: string,
  bulkResponseId: string,
  verb: string,
  update: UpdateDefinition<RolloutView, []> | UpdateDefinition<RolloutView, [unknown]>,
  ...args: [] | [unknown]
): Promise<BulkResponseView> {
  const record = await findCompanyBulkResponse(dependencies, companyId, bulkResponseId);
  if (isTerminalBulkStatus(record.status)) throw new ConflictError(`Bulk response is already ${record.status}`);
  try {
    const handle = dependencies.temporal.workflow.getHandle(bulkResponseId);
    const [argument] = args;
    await (argument === undefined
      ? handle.executeUpdate(update.name)
      : handle.executeUpdate(update.name, { args: [argument] }));
  } catch (error) {
    // The rollout refused (it stopped, it waits for no approval, the caller started it), or its
    // execution ended outside the service (terminated: the reconciler ends the record).
    if (error instanceof WorkflowUpdateFailedError) throw refusal(verb, error);
    if (error instanceof WorkflowNotFoundError) throw new ConflictError('Bulk response execution has already ended');
    throw error;
  }
  return viewBulkResponse(dependencies, companyId, bulkResponseId);
}

function refusal(verb: string, error: WorkflowUpdateFailedError): Error {
  const reason = error.cause?.message ?? error.message;
  if (/cannot approve or reject it/.test(reason)) return new ForbiddenError(`Cannot ${verb}: ${reason}`);
  return new ConflictError(`Bulk response cannot ${verb} now: ${reason}`);
}
