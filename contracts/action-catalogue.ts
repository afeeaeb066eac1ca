// Zero-import: what each action kind is, in one table used by the API, the workflow input type,
// history recording and the replay test. A registry action changes the registry a page at a
// time in one statement; a device action sends a command to each eligible device and waits for
// its answer. Adding an action: its entry here first; `tsc` then names every file that still
// lacks it (docs/decisions.md, "The action catalogue").
export const actionCatalogue = {
  issue_command: 'device',
  send_configuration: 'device',
  add_tags: 'registry',
  remove_tags: 'registry',
  add_metadata: 'registry',
  update_heartbeat: 'registry',
} as const;

export type ActionName = keyof typeof actionCatalogue;
export type ActionKind = (typeof actionCatalogue)[ActionName];
export type DeviceActionName = {
  [K in ActionName]: (typeof actionCatalogue)[K] extends 'device' ? K : never;
}[ActionName];
export type RegistryActionName = Exclude<ActionName, DeviceActionName>;

export const actionNames = Object.keys(actionCatalogue) as ActionName[];

export function isDeviceAction(action: ActionName): action is DeviceActionName {
  return actionCatalogue[action] === 'device';
}
