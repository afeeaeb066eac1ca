import type { FleetActionRequest } from '../../contracts/fleet-action.schema';
import { planOf } from '../../contracts/rollout-plan';
import { isTerminalBulkStatus } from '../../contracts/statuses';
import { findBulkResponseWithDeadlines } from '../../registry/bulk-responses.repository';
import type { WaitingDeadlines } from '../../registry/waiting-deadlines.repository';
import type { ApiDependencies } from '../dependencies';
import { NotFoundError } from '../errors';
import { viewOf, type BulkResponseView } from './bulk-response-view.service';

export type BulkResponseViewWithDeadline = BulkResponseView & { last_deadline_at: string | null };

// The single GET's (and the event stream's) view, read in one statement.
export async function viewBulkResponseWithDeadline(
  dependencies: ApiDependencies,
  companyId: string,
  id: string,
): Promise<BulkResponseViewWithDeadline> {
  const found = await findBulkResponseWithDeadlines(dependencies.database, companyId, id);
  if (!found) throw new NotFoundError('Bulk response');
  const view = viewOf(found.record);
  return { ...view, last_deadline_at: lastDeadlineOf(view, found.deadlines) };
}

// By when every device still waiting for an answer has a final state, at the latest: an offline
// device's command expires at its deadline, a device sent to is given the answer grace after it
// (contracts/rollout-plan.ts). What `watch` counts its ETA from once nothing is left to send,
// instead of a rate that says "1s" while offline devices run out their deadlines. A device that
// reports progress may still move its deadline (never past max_device_seconds).
function lastDeadlineOf(view: BulkResponseView, deadlines: WaitingDeadlines): string | null {
  const { counts } = view;
  if (isTerminalBulkStatus(view.status) || counts.sent + counts.in_progress + counts.enqueued === 0) return null;
  const grace = planOf((view.request as Partial<FleetActionRequest>).rollout).answerGraceMilliseconds;
  const candidates = [
    deadlines.sent === null ? null : deadlines.sent.getTime() + grace,
    deadlines.enqueued?.getTime() ?? null,
  ].filter((instant): instant is number => instant !== null);
  return candidates.length === 0 ? null : new Date(Math.max(...candidates)).toISOString();
}
