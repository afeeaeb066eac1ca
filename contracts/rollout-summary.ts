import type { ResolvedCommand } from './bulk-action.types';

// The execution's static summary and details in the Temporal UI (its User Metadata tab, the
// `temporal workflow describe` output): what the rollout does and to what, in the forms the
// README lists, so an operator who reads one recognises the other.

function whatOf(action: string, command: ResolvedCommand | undefined): string {
  return command ? `${action} ${command.name}` : action;
}

// "issue_command reboot -> fleet All devices", "add_tags -> fleet Lobby devices".
export function fleetActionSummary(action: string, command: ResolvedCommand | undefined, fleetName: string): string {
  return `${whatOf(action, command)} -> fleet ${fleetName}`;
}

// "issue_command reboot -> 3 devices" (IRIS360 sendCommandsBulk names its devices).
export function namedDevicesSummary(action: string, command: ResolvedCommand, deviceCount: number): string {
  return `${whatOf(action, command)} -> ${deviceCount} ${deviceCount === 1 ? 'device' : 'devices'}`;
}

// "retry of 6b16c8bd392c2f450844a3f0: issue_command reboot -> devices that ended fail, timed_out".
export function retrySummary(
  parentId: string,
  action: string,
  command: ResolvedCommand | undefined,
  statuses: readonly string[],
): string {
  return `retry of ${parentId}: ${whatOf(action, command)} -> devices that ended ${statuses.join(', ')}`;
}

// "rollback of 6b16c8bd392c2f450844a3f0: issue_command restore_backup -> the devices it acted on".
export function rollbackSummary(parentId: string, action: string, command: ResolvedCommand | undefined): string {
  return `rollback of ${parentId}: ${whatOf(action, command)} -> the devices it acted on`;
}

// Where to follow and steer it from outside the Temporal UI.
export function rolloutDetails(bulkResponseId: string, startedBy: string): string {
  return [
    `Bulk response ${bulkResponseId}, started by ${startedBy}.`,
    `Progress and what it waits for: current details (this tab).`,
    `API: GET /api/v1/platform/bulk_responses/${bulkResponseId}; CLI: fleet-actions watch ${bulkResponseId}.`,
    `Pause, resume, cancel, approve: the API or the CLI (Request Cancellation here is the same cancel).`,
  ].join('\n');
}
