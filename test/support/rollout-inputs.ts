import type { BulkActionInput } from '../../contracts/bulk-action.types';
import type { Rollout } from '../../contracts/fleet-action.schema';

// A reboot over a fleet, as the API would start it; the fake activities decide the devices.
export function rebootInput(id: string, rollout?: Rollout): BulkActionInput {
  return {
    bulkResponseId: id.padStart(24, '0'),
    companyId: 'c'.repeat(24),
    fleetId: 'f'.repeat(24),
    request: { action: 'issue_command', gateway_command: 'reboot', ...(rollout ? { rollout } : {}) },
    source: { kind: 'fleet', criteria: {}, createdBefore: '2026-01-01T00:00:00.000Z' },
    createdBy: null,
    parentId: null,
    command: { kind: 'command', name: 'reboot', payload: {}, gatewayCommand: 'reboot' },
  };
}

// Tags added over a fleet: a registry action, no device to wait for.
export function addTagsInput(id: string, rollout?: Rollout): BulkActionInput {
  return {
    bulkResponseId: id.padStart(24, '0'),
    companyId: 'c'.repeat(24),
    fleetId: 'f'.repeat(24),
    request: { action: 'add_tags', tags: ['blue'], ...(rollout ? { rollout } : {}) },
    source: { kind: 'fleet', criteria: {}, createdBefore: '2026-01-01T00:00:00.000Z' },
    createdBy: null,
    parentId: null,
  };
}
