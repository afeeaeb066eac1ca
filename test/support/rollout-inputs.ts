import type { DeviceActionInput, RegistryActionInput } from '../../contracts/bulk-action.types';
import type { Rollout } from '../../contracts/fleet-action.schema';
import { newObjectId } from '../../registry/object-id';

// The whole company's devices, as a fleet with no criteria resolves: devices created after the
// action started are not in it (a continuous rollout's sweeps find those).
const wholeCompany = () => ({ kind: 'fleet' as const, criteria: {}, createdBefore: new Date().toISOString() });

// A reboot of a company's devices, as the API would start it.
export function rebootInput(companyId: string, rollout?: Rollout): DeviceActionInput {
  return {
    bulkResponseId: newObjectId(),
    companyId,
    fleetId: null,
    request: { action: 'issue_command', gateway_command: 'reboot', ...(rollout ? { rollout } : {}) },
    source: wholeCompany(),
    createdBy: null,
    parentId: null,
    command: { kind: 'command', name: 'reboot', payload: {}, gatewayCommand: 'reboot' },
  };
}

// Tags added to a company's devices: a registry action, no device to wait for.
export function addTagsInput(companyId: string, rollout?: Rollout): RegistryActionInput {
  return {
    bulkResponseId: newObjectId(),
    companyId,
    fleetId: null,
    request: { action: 'add_tags', tags: ['blue'], ...(rollout ? { rollout } : {}) },
    source: wholeCompany(),
    createdBy: null,
    parentId: null,
  };
}
