import { createHash } from 'node:crypto';
import type { BulkActionRequest, DeviceSource, ResolvedCommand } from '../../contracts/bulk-action.types';
import { countActiveBulkResponses } from '../../registry/bulk-responses.repository';
import { newObjectId } from '../../registry/object-id';
import {
  forgetIfNeverStarted,
  recordExecution,
  startExecution,
  type ExecutionStart,
  type ExecutionStarter,
} from '../../engine-start/start-execution';
import type { Caller } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { ConflictError, TooManyRequestsError } from '../errors';
import { resolveRollbackCommand } from './resolve-rollback-command.service';

export interface StartRequest {
  caller: Caller;
  fleetId: string | null;
  parentId?: string;
  request: BulkActionRequest;
  source: DeviceSource;
  command?: ResolvedCommand | undefined;
  summary: string;
  idempotencyKey?: string | undefined;
  // A rollback: its id is derived from the bulk response it undoes (`whenTaken` answers a second).
  rollback?: { of: string; id: string; whenTaken: string };
}

export interface StartedBulkAction {
  bulkResponseId: string;
  replayed: boolean;
}

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
  // A rollback is not rolled back; anything else keeps what its own rollback would send.
  const rollbackCommand = request.rollback
    ? null
    : await resolveRollbackCommand(dependencies.database, caller.companyId, request.request, request.command);
  const hash = requestHash(request);
  const bulkResponseId =
    request.rollback?.id ??
    (request.idempotencyKey ? idempotentId(caller.companyId, request.idempotencyKey) : newObjectId());
  const claimed = await claimIdempotencyKey(dependencies, request, bulkResponseId, hash);
  if (claimed === 'started') return { bulkResponseId, replayed: true };
  const start = executionStart(request, bulkResponseId, rollbackCommand);
  const starter: ExecutionStarter = { ...dependencies, taskQueue: dependencies.config.temporal.taskQueue };
  if (claimed === 'new') {
    await admit(dependencies, caller.companyId);
    if (!(await recordExecution(dependencies.database, start)))
      throw new ConflictError(request.rollback?.whenTaken ?? `Bulk response ${bulkResponseId} already exists`);
  }
  try {
    const existed = await startExecution(starter, start);
    return { bulkResponseId, replayed: existed || claimed === 'unstarted' };
  } catch (error) {
    await forgetIfNeverStarted(starter, bulkResponseId);
    throw error;
  }
}

function executionStart(
  request: StartRequest,
  bulkResponseId: string,
  rollbackCommand: ResolvedCommand | null,
): ExecutionStart {
  return {
    bulkResponseId,
    companyId: request.caller.companyId,
    fleetId: request.fleetId,
    parentId: request.parentId ?? null,
    rollbackOf: request.rollback?.of ?? null,
    createdBy: request.caller.userId,
    startedBy: request.caller.email,
    request: request.request,
    source: request.source,
    command: request.command,
    rollbackCommand,
    summary: request.summary,
  };
}
