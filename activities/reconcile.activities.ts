import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { BulkActionInput, StatusReason } from '../contracts/bulk-action.types';
import { finalizeBulkResponseRecord } from '../registry/bulk-response-finalization';
import { listQuietActiveBulkResponses } from '../registry/bulk-responses.repository';
import type { Database } from '../registry/database';

// A record not ended and quiet this long is checked against its execution.
const quietSeconds = 20;
// An execution may take this long to appear after its record (never, if the API died first).
const startGraceMilliseconds = 60_000;
const checksPerRun = 200;

const reasonByExecutionStatus: Record<string, StatusReason> = {
  TERMINATED: { code: 'terminated', message: 'the execution was terminated before it ended the rollout' },
  TIMED_OUT: { code: 'timed_out', message: 'the execution timed out before it ended the rollout' },
  FAILED: { code: 'workflow_failed', message: 'the execution failed before it ended the rollout' },
};
const endedWithoutSummary: StatusReason = {
  code: 'workflow_ended_without_summary',
  message: 'the execution ended without storing its summary',
};

// Ends every bulk response whose execution ended outside the rollout's own code (terminated from
// the UI or CLI, timed out, failed, or never started because the API died): `failed` with a
// reason, every device in a final state. Run every 30 s by a Temporal Schedule (worker/).
export function createReconcileActivities({ database, temporal }: { database: Database; temporal: Client }) {
  return {
    async reconcileBulkResponses(): Promise<{ checked: number; ended: number }> {
      const candidates = await listQuietActiveBulkResponses(database, quietSeconds, checksPerRun);
      let ended = 0;
      for (const candidate of candidates) {
        const verdict = await verdictOf(temporal, candidate.id, new Date(candidate.created_at));
        if (!verdict) continue;
        await finalizeBulkResponseRecord(database, {
          bulkResponseId: candidate.id,
          companyId: candidate.company_id,
          source: verdict.input?.source ?? null,
          status: 'failed',
          afterDeviceId: null,
          total: 0,
          statusReason: verdict.reason,
        });
        ended += 1;
      }
      return { checked: candidates.length, ended };
    },
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
    if (description.status.name === 'RUNNING' || description.status.name === 'CONTINUED_AS_NEW') return undefined;
    const reason = reasonByExecutionStatus[description.status.name] ?? endedWithoutSummary;
    return { reason, input: await inputOf(handle) };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    if (Date.now() - createdAt.getTime() < startGraceMilliseconds) return undefined;
    return { reason: { code: 'not_started', message: 'the execution never started' }, input: undefined };
  }
}

// The devices the execution walked are named by its input (the source frozen at start).
async function inputOf(handle: ReturnType<Client['workflow']['getHandle']>): Promise<BulkActionInput | undefined> {
  const history = await handle.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<BulkActionInput>(payload) : undefined;
}
