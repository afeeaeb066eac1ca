import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { BulkActionInput, BulkActionRequest, DeviceSource, ResolvedCommand } from '../contracts/bulk-action.types';
import { isDeviceAction } from '../contracts/action-catalogue';
import { rolloutDetails } from '../contracts/rollout-summary';
import { deleteUnstartedBulkResponse, insertBulkResponse } from '../registry/bulk-responses.repository';
import type { Database, Queryable } from '../registry/database';
import { searchAttributeKeys } from '../workflows/definitions';
import type { rolloutWorkflow } from '../workflows/rollout.workflow';

// Starting a bulk response's execution, shared by the API (a fleet action, a retry, a rollback)
// and the workers (the rollback a rollout asked for when it ended aborted): the record first,
// then the execution, whose id is the bulk response id. Neither api/ nor worker/ is imported.

export interface ExecutionStart {
  bulkResponseId: string;
  companyId: string;
  fleetId: string | null;
  parentId: string | null;
  // A rollback: the bulk response it undoes.
  rollbackOf: string | null;
  // The user who asked (null: the engine itself), and how the Temporal UI names the starter.
  createdBy: string | null;
  startedBy: string;
  request: BulkActionRequest;
  source: DeviceSource;
  command: ResolvedCommand | undefined;
  // What a rollback of this one would send, resolved now like its own command.
  rollbackCommand: ResolvedCommand | null;
  summary: string;
}

export interface ExecutionStarter {
  database: Database;
  temporal: Client;
  taskQueue: string;
}

const defaultPriority = 3;
const priorityOf = (request: BulkActionRequest) =>
  ('priority' in request ? request.priority : undefined) ?? defaultPriority;

// Written once; true when this call wrote it (the id was free).
export function recordExecution(database: Queryable, start: ExecutionStart): Promise<boolean> {
  const setting = start.command?.setting;
  return insertBulkResponse(database, {
    id: start.bulkResponseId,
    companyId: start.companyId,
    fleetId: start.fleetId,
    parentId: start.parentId,
    action: start.request.action,
    request: start.request,
    createdBy: start.createdBy,
    // A rollback's devices each go back to their own version: its rows say which.
    appliedSetting: setting && !setting.restoreFrom ? { settingId: setting.settingId, version: setting.version } : null,
    rollbackOf: start.rollbackOf,
    rollbackCommand: start.rollbackCommand,
  });
}

function workflowInput(start: ExecutionStart): BulkActionInput {
  const target = {
    bulkResponseId: start.bulkResponseId,
    companyId: start.companyId,
    fleetId: start.fleetId,
    source: start.source,
    createdBy: start.createdBy,
    parentId: start.parentId,
  };
  const { request, command } = start;
  if (!isDeviceAction(request.action)) return { ...target, request } as BulkActionInput;
  if (!command) throw new Error(`device action ${request.action} reached the engine without a resolved command`);
  return { ...target, request, command } as BulkActionInput;
}

// True when the execution already existed (a retried start whose first try started it).
export async function startExecution(starter: ExecutionStarter, start: ExecutionStart): Promise<boolean> {
  try {
    await starter.temporal.workflow.start<typeof rolloutWorkflow>('rolloutWorkflow', {
      workflowId: start.bulkResponseId,
      // A bulk response is executed once: a replayed request never starts a second run.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // Its workflow and activity tasks are taken in priority order, and companies get fair shares
      // of the task queue (the server needs its matcher's fairness on: see the dev server's flags).
      priority: { priorityKey: priorityOf(start.request), fairnessKey: start.companyId },
      taskQueue: starter.taskQueue,
      args: [workflowInput(start)],
      staticSummary: start.summary,
      staticDetails: rolloutDetails(start.bulkResponseId, start.startedBy),
      typedSearchAttributes: [
        { key: searchAttributeKeys.companyId, value: start.companyId },
        { key: searchAttributeKeys.fleetId, value: start.fleetId ?? '' },
        { key: searchAttributeKeys.action, value: start.request.action },
        { key: searchAttributeKeys.status, value: 'pending' },
      ],
    });
    return false;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return true;
    throw error;
  }
}

// A start that failed may still have reached Temporal (its answer lost): the record goes only
// once Temporal says there is no such execution. Otherwise the reconciler ends it later.
export async function forgetIfNeverStarted(starter: ExecutionStarter, bulkResponseId: string): Promise<void> {
  try {
    await starter.temporal.workflow.getHandle(bulkResponseId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) await deleteUnstartedBulkResponse(starter.database, bulkResponseId);
  }
}
