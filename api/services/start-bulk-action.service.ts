import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import type {
  BulkActionInput,
  BulkActionRequest,
  DeviceSource,
  ResolvedCommand,
} from '../../contracts/bulk-action.types';
import { isDeviceAction } from '../../contracts/action-catalogue';
import {
  countActiveBulkResponses,
  deleteUnstartedBulkResponse,
  insertBulkResponse,
} from '../../registry/bulk-responses.repository';
import { newObjectId } from '../../registry/object-id';
import { searchAttributeKeys } from '../../workflows/definitions';
import type { rolloutWorkflow } from '../../workflows/rollout.workflow';
import type { Caller } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { rolloutDetails } from './rollout-summary';
import { ConflictError, TooManyRequestsError } from '../errors';

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

const defaultPriority = 3;
const priorityOf = (request: BulkActionRequest) =>
  ('priority' in request ? request.priority : undefined) ?? defaultPriority;
// How long a caller over its admission limit is told to wait before trying again.
const admissionRetryAfterSeconds = 30;

function requestHash(request: StartRequest): string {
  return createHash('sha256')
    .update(JSON.stringify({ fleetId: request.fleetId, parentId: request.parentId ?? null, request: request.request }))
    .digest('hex');
}

// The same key always names the same bulk response, so even two racing requests start one workflow.
function idempotentId(companyId: string, key: string): string {
  return createHash('sha256').update(`${companyId}\u0000${key}`).digest('hex').slice(0, 24);
}

// With a key: `new` the first time, else whether the record it names still waits for its start
// (the first request died between the two) or is under way already.
async function claimIdempotencyKey(
  dependencies: ApiDependencies,
  request: StartRequest,
  id: string,
  hash: string,
): Promise<'new' | 'unstarted' | 'started'> {
  if (!request.idempotencyKey) return 'new';
  const { companyId } = request.caller;
  await dependencies.database.query(
    `insert into idempotency_keys (company_id, key, request_hash, bulk_response_id) values ($1, $2, $3, $4)
     on conflict (company_id, key) do nothing`,
    [companyId, request.idempotencyKey, hash, id],
  );
  const [claimed] = await dependencies.database.query<{ request_hash: string; recorded: boolean; unstarted: boolean }>(
    `select k.request_hash, b.id is not null as recorded, coalesce(b.started_at is null and b.completed_at is null, false)
       as unstarted
     from idempotency_keys k left join bulk_responses b on b.id = k.bulk_response_id
     where k.company_id = $1 and k.key = $2`,
    [companyId, request.idempotencyKey],
  );
  if (claimed?.request_hash !== hash)
    throw new ConflictError('Idempotency-Key was already used with a different request body');
  if (!claimed.recorded) return 'new';
  return claimed.unstarted ? 'unstarted' : 'started';
}

async function admit(dependencies: ApiDependencies, companyId: string): Promise<void> {
  const active = await countActiveBulkResponses(dependencies.database, companyId);
  const limit = dependencies.config.admission.maxActiveBulkResponses;
  if (active < limit) return;
  throw new TooManyRequestsError(
    `Too many bulk responses running: ${active} of at most ${limit} have not ended; try again later`,
    admissionRetryAfterSeconds,
  );
}

// Stores the record, then starts the execution (id = bulk_response_id): the record is written
// once, here. Every step is idempotent, so a caller retrying after a crash at any point (with the
// same Idempotency-Key) completes what was left; a start that Temporal refuses takes the record
// back, and a record whose execution never started (the API died in between) is ended by the
// reconciler a minute later.
export async function startBulkAction(
  dependencies: ApiDependencies,
  request: StartRequest,
): Promise<StartedBulkAction> {
  const { caller } = request;
  const hash = requestHash(request);
  const bulkResponseId = request.idempotencyKey
    ? idempotentId(caller.companyId, request.idempotencyKey)
    : newObjectId();
  const claimed = await claimIdempotencyKey(dependencies, request, bulkResponseId, hash);
  if (claimed === 'started') return { bulkResponseId, replayed: true };
  if (claimed === 'new') await admitAndRecord(dependencies, request, bulkResponseId);
  try {
    const existed = await startWorkflow(dependencies, request, bulkResponseId);
    return { bulkResponseId, replayed: existed || claimed === 'unstarted' };
  } catch (error) {
    await forgetIfNeverStarted(dependencies, bulkResponseId);
    throw error;
  }
}

async function admitAndRecord(dependencies: ApiDependencies, request: StartRequest, bulkResponseId: string) {
  await admit(dependencies, request.caller.companyId);
  const setting = request.command?.setting;
  await insertBulkResponse(dependencies.database, {
    id: bulkResponseId,
    companyId: request.caller.companyId,
    fleetId: request.fleetId,
    parentId: request.parentId ?? null,
    action: request.request.action,
    request: request.request,
    createdBy: request.caller.userId,
    appliedSetting: setting ? { settingId: setting.settingId, version: setting.version } : null,
  });
}

// A start that failed may still have reached Temporal (its answer lost): the record goes only
// once Temporal says there is no such execution. Otherwise the reconciler ends it later.
async function forgetIfNeverStarted(dependencies: ApiDependencies, bulkResponseId: string): Promise<void> {
  try {
    await dependencies.temporal.workflow.getHandle(bulkResponseId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      await deleteUnstartedBulkResponse(dependencies.database, bulkResponseId);
  }
}

function workflowInput(request: StartRequest, bulkResponseId: string): BulkActionInput {
  const target = {
    bulkResponseId,
    companyId: request.caller.companyId,
    fleetId: request.fleetId,
    source: request.source,
    createdBy: request.caller.userId,
    parentId: request.parentId ?? null,
  };
  const { request: body, command } = request;
  if (!isDeviceAction(body.action)) return { ...target, request: body } as BulkActionInput;
  if (!command) throw new Error(`device action ${body.action} reached the engine without a resolved command`);
  return { ...target, request: body, command } as BulkActionInput;
}

// True when the execution already existed (a retried request whose first try started it).
async function startWorkflow(dependencies: ApiDependencies, request: StartRequest, bulkResponseId: string) {
  try {
    await dependencies.temporal.workflow.start<typeof rolloutWorkflow>('rolloutWorkflow', {
      workflowId: bulkResponseId,
      // A bulk response is executed once: a replayed request never starts a second run.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // Its workflow and activity tasks are taken in priority order, and companies get fair shares
      // of the task queue (the server needs its matcher's fairness on: see the dev server's flags).
      priority: { priorityKey: priorityOf(request.request), fairnessKey: request.caller.companyId },
      taskQueue: dependencies.config.temporal.taskQueue,
      args: [workflowInput(request, bulkResponseId)],
      staticSummary: request.summary,
      staticDetails: rolloutDetails(bulkResponseId, request.caller.email),
      typedSearchAttributes: [
        { key: searchAttributeKeys.companyId, value: request.caller.companyId },
        { key: searchAttributeKeys.fleetId, value: request.fleetId ?? '' },
        { key: searchAttributeKeys.action, value: request.request.action },
        { key: searchAttributeKeys.status, value: 'pending' },
      ],
    });
    return false;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return true;
    throw error;
  }
}
