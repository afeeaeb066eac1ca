import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Logger } from 'pino';
import { isDeviceActionInput, type BulkActionInput, type StatusReason } from '../contracts/bulk-action.types';
import { planOf } from '../contracts/rollout-plan';
import type { RolloutRecordState } from '../contracts/rollout-model';
import { statusOf } from '../contracts/rollout-view';
import {
  finishBulkResponse,
  listQuietActiveBulkResponses,
  saveRolloutState,
} from '../registry/bulk-responses.repository';
import type { Database } from '../registry/database';
import { countWaitingDevices, expireDevices } from '../registry/device-dispatch.repository';
import { settleUnreachedDevices } from '../registry/unreached-devices';

// A record quiet this long is checked against its execution.
const quietSeconds = 15;
// An execution may take this long to appear after its record (never, if the API died first).
const startGraceMilliseconds = 60_000;
const checksPerTick = 200;

const reasonByExecutionStatus: Record<string, StatusReason> = {
  TERMINATED: { code: 'terminated', message: 'the execution was terminated before it ended the rollout' },
  TIMED_OUT: { code: 'timed_out', message: 'the execution timed out before it ended the rollout' },
  FAILED: { code: 'workflow_failed', message: 'the execution failed before it ended the rollout' },
};
const endedWithoutSummary: StatusReason = {
  code: 'workflow_ended_without_summary',
  message: 'the execution ended without storing its summary',
};

// Ends the bulk responses whose execution ended outside the rollout's own code (terminated from
// the UI or CLI, timed out, failed, or never started because the API died), from inside each
// worker process: no workflow execution per check. Nothing is sent for them any more (nothing
// outside the execution could send); devices never reached get their final rows at once, devices
// that had the command keep their real answer until their deadline, then the record ends `failed`.
export function startRolloutReconciler(options: {
  database: Database;
  temporal: Client;
  logger: Logger;
  intervalMilliseconds?: number;
}): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running
      .then(() => reconcile(options))
      .catch((error: unknown) => options.logger.warn({ err: error }, 'reconciliation failed; trying again later'));
  };
  const timer = setInterval(tick, options.intervalMilliseconds ?? 10_000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

async function reconcile({ database, temporal, logger }: { database: Database; temporal: Client; logger: Logger }) {
  for (const candidate of await listQuietActiveBulkResponses(database, quietSeconds, checksPerTick)) {
    const verdict = await verdictOf(temporal, candidate.id, new Date(candidate.created_at));
    if (!verdict) continue;
    if (!verdict.input) {
      await finishBulkResponse(database, candidate.id, { ...ended(verdict.reason, candidate.total), state: null });
      continue;
    }
    const waiting = await settleOrphan(database, verdict.input, verdict.reason);
    if (waiting === 0) {
      await finishBulkResponse(database, candidate.id, { ...ended(verdict.reason, candidate.total), state: null });
      logger.info(
        { bulkResponseId: candidate.id, reason: verdict.reason.code },
        'bulk response ended by the reconciler',
      );
    }
  }
}

function ended(reason: StatusReason, total: number) {
  return { status: 'failed' as const, statusReason: reason, total };
}

// Rows of an orphaned rollout: unreached ones final now, waiting ones final at their deadline.
// Answers how many devices still wait (the record says the rollout is stopping meanwhile).
async function settleOrphan(database: Database, input: BulkActionInput, reason: StatusReason): Promise<number> {
  const command = isDeviceActionInput(input) ? input.command : undefined;
  await settleUnreachedDevices(database, {
    bulkResponseId: input.bulkResponseId,
    companyId: input.companyId,
    source: input.source,
    command,
    rollout: input.request.rollout,
    stage: 0,
    cancelWaiting: false,
    message: `not sent: ${reason.message}`,
  });
  const plan = planOf(input.request.rollout);
  await expireDevices(database, input.bulkResponseId, new Date(), plan.answerGraceMilliseconds);
  const waiting = await countWaitingDevices(database, input.bulkResponseId);
  if (waiting > 0) {
    const state: RolloutRecordState = stoppingState(reason);
    await saveRolloutState(database, input.bulkResponseId, { status: statusOf(state), total: 0, state });
  }
  return waiting;
}

function stoppingState(reason: StatusReason): RolloutRecordState {
  return {
    phase: 'stopping',
    pausedBy: null,
    stop: { kind: 'fail', reason },
    finalStatus: null,
    approvals: [],
    startAt: null,
    stage: { index: 0, phase: 'dispatching', bakeUntil: null },
    stageSizes: [],
    windowOpensAt: null,
    nextCheckAt: null,
    sweeping: false,
    walkDone: true,
    version: Number.MAX_SAFE_INTEGER,
  };
}

interface Verdict {
  reason: StatusReason;
  input: BulkActionInput | undefined;
}

async function verdictOf(temporal: Client, id: string, createdAt: Date): Promise<Verdict | undefined> {
  const handle = temporal.workflow.getHandle(id);
  try {
    const description = await handle.describe();
    if (description.status.name === 'RUNNING') return undefined;
    const reason = reasonByExecutionStatus[description.status.name] ?? endedWithoutSummary;
    return { reason, input: await inputOf(handle) };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    if (Date.now() - createdAt.getTime() < startGraceMilliseconds) return undefined;
    return { reason: { code: 'not_started', message: 'the execution never started' }, input: undefined };
  }
}

// The devices the execution walked are named by its first run's input (the source frozen at start).
async function inputOf(handle: ReturnType<Client['workflow']['getHandle']>): Promise<BulkActionInput | undefined> {
  const history = await handle.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<BulkActionInput>(payload) : undefined;
}
