import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type {
  BulkActionInput,
  BulkActionRequest,
  DeviceSource,
  ResolvedCommand,
} from '../../contracts/bulk-action.types';
import { deleteBulkResponse, insertBulkResponse } from '../../registry/bulk-responses.repository';
import { newObjectId } from '../../registry/object-id';
import { bulkActionWorkflow } from '../../workflows/bulk-action.workflow';
import { searchAttributeKeys } from '../../workflows/definitions';
import type { Caller } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { ConflictError } from '../errors';

export interface StartRequest {
  caller: Caller;
  fleetId: string | null;
  parentId?: string;
  request: BulkActionRequest;
  source: DeviceSource;
  command?: ResolvedCommand | undefined;
  summary: string;
  idempotencyKey?: string | undefined;
}

export interface StartedBulkAction {
  bulkResponseId: string;
  replayed: boolean;
}

function requestHash(request: StartRequest): string {
  return createHash('sha256')
    .update(JSON.stringify({ fleetId: request.fleetId, parentId: request.parentId ?? null, request: request.request }))
    .digest('hex');
}

// The same key always names the same bulk response, so even two racing requests start one workflow.
function idempotentId(companyId: string, key: string): string {
  return createHash('sha256').update(`${companyId}\u0000${key}`).digest('hex').slice(0, 24);
}

async function previousStart(dependencies: ApiDependencies, request: StartRequest, hash: string) {
  if (!request.idempotencyKey) return undefined;
  const [existing] = await dependencies.database.query<{ request_hash: string; bulk_response_id: string }>(
    'select request_hash, bulk_response_id from idempotency_keys where company_id = $1 and key = $2',
    [request.caller.companyId, request.idempotencyKey],
  );
  if (!existing) return undefined;
  if (existing.request_hash !== hash)
    throw new ConflictError('Idempotency-Key was already used with a different request body');
  return existing.bulk_response_id;
}

// Records the bulk response, then starts its workflow with id = bulk_response_id. If the start
// fails, the record is removed again so nothing half-written is left behind.
export async function startBulkAction(
  dependencies: ApiDependencies,
  request: StartRequest,
): Promise<StartedBulkAction> {
  const hash = requestHash(request);
  const replayedId = await previousStart(dependencies, request, hash);
  if (replayedId) return { bulkResponseId: replayedId, replayed: true };

  const { caller } = request;
  const bulkResponseId = request.idempotencyKey
    ? idempotentId(caller.companyId, request.idempotencyKey)
    : newObjectId();
  try {
    await dependencies.database.transaction(async (transaction) => {
      await insertBulkResponse(transaction, {
        id: bulkResponseId,
        companyId: caller.companyId,
        fleetId: request.fleetId,
        parentId: request.parentId ?? null,
        action: request.request.action,
        request: request.request,
        createdBy: caller.userId,
      });
      if (request.idempotencyKey) {
        await transaction.query(
          'insert into idempotency_keys (company_id, key, request_hash, bulk_response_id) values ($1, $2, $3, $4)',
          [caller.companyId, request.idempotencyKey, hash, bulkResponseId],
        );
      }
    });
  } catch (error) {
    const racedId = await previousStart(dependencies, request, hash);
    if (racedId) return { bulkResponseId: racedId, replayed: true };
    throw error;
  }
  await startWorkflow(dependencies, request, bulkResponseId);
  return { bulkResponseId, replayed: false };
}

async function startWorkflow(dependencies: ApiDependencies, request: StartRequest, bulkResponseId: string) {
  const input: BulkActionInput = {
    bulkResponseId,
    companyId: request.caller.companyId,
    fleetId: request.fleetId,
    request: request.request,
    source: request.source,
    ...(request.command ? { command: request.command } : {}),
  };
  try {
    await dependencies.temporal.workflow.start(bulkActionWorkflow, {
      workflowId: bulkResponseId,
      taskQueue: dependencies.config.temporal.taskQueue,
      args: [input],
      staticSummary: request.summary,
      staticDetails: `Bulk response ${bulkResponseId} started by ${request.caller.email}.`,
      typedSearchAttributes: [
        { key: searchAttributeKeys.companyId, value: request.caller.companyId },
        { key: searchAttributeKeys.fleetId, value: request.fleetId ?? '' },
        { key: searchAttributeKeys.action, value: request.request.action },
        { key: searchAttributeKeys.status, value: 'pending' },
      ],
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    await dependencies.database.transaction(async (transaction) => {
      await transaction.query('delete from idempotency_keys where bulk_response_id = $1', [bulkResponseId]);
      await deleteBulkResponse(transaction, bulkResponseId);
    });
    throw error;
  }
}
