import type { ResolvedCommand } from '../contracts/bulk-action.types';
import type { SettingUndo } from '../contracts/rollback';
import type { Queryable } from '../registry/database';

// Setting versions never change once written, so their values may be kept for the process's life;
// the bound only keeps a long-lived worker from collecting every version it ever sent.
const cachedVersionsAtMost = 1_000;

// The payload a device receives: the command resolved once for every device, except a
// configuration whose row carries another version (a rollback sends each device the version it
// had before): then that version and its values.
export function createCommandPayloads(database: Queryable) {
  const versions = new Map<string, Record<string, unknown>>();

  async function valuesOf(settingId: string, version: number): Promise<Record<string, unknown>> {
    const key = `${settingId}@${version}`;
    const cached = versions.get(key);
    if (cached) return cached;
    const [row] = await database.query<{ values: Record<string, unknown> }>(
      'select "values" from setting_versions where setting_id = $1 and version = $2',
      [settingId, version],
    );
    if (!row) throw new Error(`setting ${settingId} has no version ${version} any more`);
    if (versions.size >= cachedVersionsAtMost) versions.clear();
    versions.set(key, row.values);
    return row.values;
  }

  return async function payloadFor(
    command: ResolvedCommand,
    undo: SettingUndo | null | undefined,
  ): Promise<Record<string, unknown>> {
    const { setting } = command;
    if (!setting || !undo || undo.version === setting.version) return command.payload;
    if (undo.version === null) throw new Error('the device has no setting version to go back to');
    const carried = command.payload.setting as Record<string, unknown> | undefined;
    return {
      ...command.payload,
      setting: { ...carried, version: undo.version, values: await valuesOf(setting.settingId, undo.version) },
    };
  };
}
