import type { ResolvedCommand } from '../../contracts/bulk-action.types';
import type { FleetActionPreview } from '../../contracts/fleet-action-preview.schema';
import type { FleetActionRequest, Rollout } from '../../contracts/fleet-action.schema';
import { windowStateAt } from '../../contracts/maintenance-windows';
import { planOf, stageSizesOf } from '../../contracts/rollout-plan';
import type { Queryable } from '../../registry/database';
import { scanFleetPopulation } from '../../registry/fleet-population';
import type { ActionFleet } from './resolve-action-target.service';

export interface PreviewInput {
  companyId: string;
  fleet: ActionFleet;
  request: FleetActionRequest;
  // Undefined for registry actions, which skip inactive devices only (as the engine does).
  command: ResolvedCommand | undefined;
  now: Date;
}

// A dry run over the same scan and the same eligibility rules the engine applies when the action
// reaches each device, and the same stage sizes the rollout computes when it starts: the preview's
// canary is the rollout's canary. It reads only, so the numbers hold for "now", not for later.
export async function previewFleetAction(database: Queryable, input: PreviewInput): Promise<FleetActionPreview> {
  const rollout = input.request.rollout;
  const population = await scanFleetPopulation(database, {
    source: { kind: 'fleet', criteria: input.fleet.criteria, createdBefore: input.now.toISOString() },
    companyId: input.companyId,
    command: input.command,
    rollout,
    now: input.now,
  });
  const plan = planOf(rollout);
  const canary =
    input.command && plan.stages.length > 0 && population.eligible > 0
      ? { canary_devices: stageSizesOf(plan, { eligible: population.eligible, onlineEligible: population.online })[0]! }
      : {};
  const { total, eligible, online, offline, skipped } = population;
  return { total, eligible, online, offline, skipped, ...canary, ...windowNow(rollout, input.now) };
}

function windowNow(rollout: Rollout | undefined, now: Date): Pick<FleetActionPreview, 'window'> {
  if (!rollout?.windows) return {};
  const state = windowStateAt(rollout.windows, now.getTime());
  if (state.open) return { window: { open: true, closes_at: new Date(state.closesAt).toISOString() } };
  return { window: { open: false, opens_at: new Date(state.opensAt).toISOString() } };
}
