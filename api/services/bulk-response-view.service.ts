import type { FleetActionRequest } from '../../contracts/fleet-action.schema';
import { planOf } from '../../contracts/rollout-plan';
import { stageViewOf, waitingForOf } from '../../contracts/rollout-view';
import type { ApprovalDecision } from '../../contracts/rollout-model';
import { findBulkResponse, type BulkResponseRecord } from '../../registry/bulk-responses.repository';
import type { ApiDependencies } from '../dependencies';
import { NotFoundError } from '../errors';

// A bulk response as the API shows it: the stored record, whose counts are the device rows' own
// (kept by the registry in the statement that changes a row, so they never lag or go back), and
// what it waits for, worded by the rollout model from the state the execution saved at its last
// transition. Reads never ask the execution, so a busy worker never makes them slow.
export type BulkResponseView = Omit<BulkResponseRecord, 'rollout_state'> & {
  waiting_for: string | null;
  stage: ReturnType<typeof stageViewOf>;
  approvals: ApprovalDecision[];
};

export function viewOf(record: BulkResponseRecord): BulkResponseView {
  const { rollout_state: state, ...shown } = record;
  const plan = planOf((record.request as Partial<FleetActionRequest>).rollout);
  return {
    ...shown,
    waiting_for: state ? waitingForOf(state, record.counts, plan) : pendingWait(record),
    stage: state ? stageViewOf(state, plan) : null,
    approvals: state?.approvals ?? [],
  };
}

// Before the execution saved anything: it has not started yet.
function pendingWait(record: BulkResponseRecord): string | null {
  if (record.completed_at) return null;
  const startAt = (record.request as Partial<FleetActionRequest>).rollout?.start_at;
  return startAt ? `the start time ${new Date(startAt).toISOString()}` : 'its start';
}

export async function findCompanyBulkResponse(dependencies: ApiDependencies, companyId: string, id: string) {
  const record = await findBulkResponse(dependencies.database, companyId, id);
  if (!record) throw new NotFoundError('Bulk response');
  return record;
}

export async function viewBulkResponse(
  dependencies: ApiDependencies,
  companyId: string,
  id: string,
): Promise<BulkResponseView> {
  return viewOf(await findCompanyBulkResponse(dependencies, companyId, id));
}
