import type { ActionName } from '../../contracts/action-catalogue';
import { undoKindsOf } from '../../contracts/rollback';
import type { RollbackBody, RollbackPreview } from '../../contracts/rollback.schema';
import { scanFleetPopulation } from '../../registry/fleet-population';
import type { Caller } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { findParent, plannedRollbackOf } from './rollback-bulk-response.service';

// The dry run of POST .../rollback with the same body: the same refusals, then the devices the
// rollback would walk counted by the same eligibility the engine applies when it reaches each,
// and those it would change by kind of undo. It reads only: the figures hold for now.
export async function previewRollback(
  dependencies: ApiDependencies,
  caller: Caller,
  parentId: string,
  body: RollbackBody,
): Promise<RollbackPreview> {
  const parent = await findParent(dependencies, caller.companyId, parentId);
  const planned = await plannedRollbackOf(dependencies, parent, body);
  const action = parent.action as ActionName;
  const undo: Record<string, number> = {};
  const population = await scanFleetPopulation(
    dependencies.database,
    {
      source: planned.source,
      companyId: parent.company_id,
      command: planned.command,
      rollout: planned.request.rollout,
      now: new Date(),
    },
    (device) => {
      for (const kind of undoKindsOf(action, device.undo ?? null)) undo[kind] = (undo[kind] ?? 0) + 1;
    },
  );
  const { total, eligible, online, offline, skipped } = population;
  return {
    parent_id: parent.id,
    action,
    total,
    eligible,
    online,
    offline,
    skipped,
    undo,
    ...(action === 'issue_command' && planned.command ? { rollback_command: planned.command.name } : {}),
  };
}
