import { actionCatalogue, type ActionKind } from '../../contracts/action-catalogue';
import type { DeviceSource, ResolvedCommand } from '../../contracts/bulk-action.types';
import type { FleetActionPreview } from '../../contracts/fleet-action-preview.schema';
import type { FleetActionRequest, Rollout } from '../../contracts/fleet-action.schema';
import { windowStateAt } from '../../contracts/maintenance-windows';
import { canarySizeOf } from '../../contracts/rollout-rules';
import type { SkipReason } from '../../contracts/statuses';
import type { Queryable } from '../../registry/database';
import { loadDeviceBatch, type BatchDeviceRow } from '../../registry/device-batch.repository';
import { isOnline, skipReasonOf } from '../../registry/device-eligibility';
import type { ActionFleet } from './resolve-action-target.service';

const pageSize = 1000;

export interface PreviewInput {
  companyId: string;
  fleet: ActionFleet;
  request: FleetActionRequest;
  // Undefined for registry actions, which need none.
  command: ResolvedCommand | undefined;
  now: Date;
}

type SkipRule = (device: BatchDeviceRow) => SkipReason | undefined;

// The engine's rule for each kind of the catalogue, so a new action previews as its kind runs: a
// registry pass skips inactive devices only; a device pass checks every eligibility rule against
// the resolved command, when the action reaches the device.
const skipRules: { [Kind in ActionKind]: (input: PreviewInput) => SkipRule } = {
  registry: () => (device) => (device.active ? undefined : 'inactive'),
  device: ({ request, command, now }) => {
    if (!command) throw new Error(`device action ${request.action} previewed without a resolved command`);
    return (device) => skipReasonOf(device, command, request.rollout, now);
  },
};

// A dry run over the same pages and the same eligibility rules the engine applies when the
// action reaches each device; it reads only, so the numbers hold for "now", not for later.
export async function previewFleetAction(database: Queryable, input: PreviewInput): Promise<FleetActionPreview> {
  const source: DeviceSource = {
    kind: 'fleet',
    criteria: input.fleet.criteria,
    createdBefore: input.now.toISOString(),
  };
  const rollout = input.request.rollout;
  const skipReason = skipRules[actionCatalogue[input.request.action]](input);
  const skipped: Partial<Record<SkipReason, number>> = {};
  const counted = { total: 0, eligible: 0, online: 0, offline: 0 };
  let afterDeviceId: string | null = null;
  for (;;) {
    const devices = await loadDeviceBatch(database, source, input.companyId, afterDeviceId, pageSize);
    for (const device of devices) {
      counted.total++;
      const reason = skipReason(device);
      if (reason) skipped[reason] = (skipped[reason] ?? 0) + 1;
      else {
        counted.eligible++;
        counted[isOnline(device, input.now) ? 'online' : 'offline']++;
      }
    }
    if (devices.length < pageSize) break;
    afterDeviceId = devices.at(-1)!.id;
  }
  const canary = input.command && rollout?.canary ? { canary_devices: canarySizeOf(rollout, counted.online) } : {};
  return { ...counted, skipped, ...canary, ...windowNow(rollout, input.now) };
}

function windowNow(rollout: Rollout | undefined, now: Date): Pick<FleetActionPreview, 'window'> {
  if (!rollout?.windows) return {};
  const state = windowStateAt(rollout.windows, now.getTime());
  if (state.open) return { window: { open: true, closes_at: new Date(state.closesAt).toISOString() } };
  return { window: { open: false, opens_at: new Date(state.opensAt).toISOString() } };
}
