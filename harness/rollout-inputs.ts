import type { ActionName } from '../contracts/action-catalogue';
import type { BulkActionInput, DeviceActionInput, RegistryActionInput } from '../contracts/bulk-action.types';
import type { Rollout } from '../contracts/fleet-action.schema';
import { newObjectId } from '../registry/object-id';

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

// One input per action of the catalogue, over a company's devices: what the API would start.
export function actionInput(action: ActionName, companyId: string, rollout?: Rollout): BulkActionInput {
  const target = { ...rebootInput(companyId, rollout), request: undefined, command: undefined };
  const withRollout = rollout ? { rollout } : {};
  switch (action) {
    case 'issue_command':
      return rebootInput(companyId, rollout);
    case 'add_tags':
      return addTagsInput(companyId, rollout);
    case 'remove_tags':
      return { ...target, request: { action, tags: ['blue'], ...withRollout } };
    case 'add_metadata':
      return { ...target, request: { action, metadata: { owner: 'ops' }, ...withRollout } };
    case 'update_heartbeat':
      return { ...target, request: { action, heartbeat_period: 120, ...withRollout } };
    case 'send_configuration': {
      const [configurationId, settingId, commandId] = [newObjectId(), newObjectId(), newObjectId()];
      const setting = { configurationId, settingId, version: 1, values: { log_level: 'debug' } };
      return {
        ...target,
        request: {
          action,
          configuration_id: configurationId,
          setting_id: settingId,
          command_id: commandId,
          setting_version: 1,
          ...withRollout,
        },
        command: {
          kind: 'configuration',
          name: 'apply_config',
          payload: { setting: { configuration_id: configurationId, setting_id: settingId, version: 1 } },
          commandId,
          setting,
        },
      };
    }
  }
}
