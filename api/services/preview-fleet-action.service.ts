import type { ResolvedCommand } from '../../contracts/bulk-action.types';
import type { FleetActionPreview } from '../../contracts/fleet-action-preview.schema';
import type { FleetActionRequest, Rollout } from '../../contracts/fleet-action.schema';
import { windowStateAt } from '../../contracts/maintenance-windows';
import { planOf, stageSizesOf, type RolloutPlan } from '../../contracts/rollout-plan';
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
  const { total, eligible, online, offline, skipped } = population;
  const approval = plan.approvalRequired || plan.stages.some((stage) => stage.then === 'approve');
  return {
    total,
    eligible,
    online,
    offline,
    skipped,
    ...(input.command ? stagesOf(plan, population) : {}),
    ...(approval ? { approval_required: true } : {}),
    ...windowNow(rollout, input.now),
  };
}

// The stages as the rollout will size them when it starts (the same function), then the rest.
function stagesOf(plan: RolloutPlan, population: { eligible: number; online: number }) {
  if (plan.stages.length === 0 || population.eligible === 0) return {};
  const sizes = stageSizesOf(plan, { eligible: population.eligible, onlineEligible: population.online });
  const staged = sizes.reduce((sum, size) => sum + size, 0);
  return {
    canary_devices: sizes[0]!,
    stages: [
      ...sizes.map((devices, index) => ({ name: plan.stages[index]!.label, devices })),
      { name: 'the rest of the fleet', devices: population.eligible - staged },
    ],
  };
}

function windowNow(rollout: Rollout | undefined, now: Date): Pick<FleetActionPreview, 'window'> {
  if (!rollout?.windows) return {};
  const state = windowStateAt(rollout.windows, now.getTime());
  if (state.open) return { window: { open: true, closes_at: new Date(state.closesAt).toISOString() } };
  return { window: { open: false, opens_at: new Date(state.opensAt).toISOString() } };
}
