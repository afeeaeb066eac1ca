import type { FleetActionRequest } from '../../contracts/fleet-action.schema';
import { planOf } from '../../contracts/rollout-plan';
import { isTerminalBulkStatus } from '../../contracts/statuses';
import { findWaitingDeadlines } from '../../registry/waiting-deadlines.repository';
import type { ApiDependencies } from '../dependencies';
import type { BulkResponseView } from './bulk-response-view.service';

export type BulkResponseViewWithDeadline = BulkResponseView & { last_deadline_at: string | null };

// By when every device still waiting for an answer has a final state, at the latest: an offline
// device's command expires at its deadline, a device sent to is given the answer grace after it
// (contracts/rollout-plan.ts). What `watch` counts its ETA from once nothing is left to send,
// instead of a rate that says "1s" while offline devices run out their deadlines. A device that
// reports progress may still move its deadline (never past max_device_seconds).
export async function withLastDeadline(
  dependencies: ApiDependencies,
  view: BulkResponseView,
): Promise<BulkResponseViewWithDeadline> {
  const { counts } = view;
  if (isTerminalBulkStatus(view.status) || counts.sent + counts.in_progress + counts.enqueued === 0)
    return { ...view, last_deadline_at: null };
  const deadlines = await findWaitingDeadlines(dependencies.database, view._id);
  const grace = planOf((view.request as Partial<FleetActionRequest>).rollout).answerGraceMilliseconds;
  const candidates = [
    deadlines.sent === null ? null : deadlines.sent.getTime() + grace,
    deadlines.enqueued?.getTime() ?? null,
  ].filter((instant): instant is number => instant !== null);
  const last = candidates.length === 0 ? null : Math.max(...candidates);
  return { ...view, last_deadline_at: last === null ? null : new Date(last).toISOString() };
}
