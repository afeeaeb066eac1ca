import type { RegistryActionName } from '../contracts/action-catalogue';
import type { FleetActionRequestOf } from '../contracts/fleet-action.schema';
import type { DeviceUndo, HeartbeatUndo, MetadataUndo } from '../contracts/rollback';

// A device as a registry page found it, locked, before its change.
export interface DeviceBefore {
  tags: string[];
  metadata: Record<string, string>;
  heartbeat_period: number;
  heartbeat_values: string[];
}

type RegistryRequest = FleetActionRequestOf<RegistryActionName>;

interface RegistryUndo<Request> {
  // What the action's change replaces on this device, or null when it changes nothing there.
  capture(request: Request, before: DeviceBefore): DeviceUndo | null;
  // The `set` list that puts a device back, over `devices d` and its row `p` in the bulk response
  // undone (whose `undo` is what `capture` said). Idempotent: a retried page converges.
  revertSql: string;
}

const textArray = (json: string) => `array(select jsonb_array_elements_text(${json}))`;

// One entry per registry action of the catalogue: a new one does not compile until it says how
// its change is recorded and undone.
const registryUndos: { [Name in RegistryActionName]: RegistryUndo<FleetActionRequestOf<Name>> } = {
  // The tags it added (not those the device had already) are removed, the others kept in order.
  add_tags: {
    capture: (request, before) => {
      const added = [...new Set(request.tags)].filter((tag) => !before.tags.includes(tag));
      return added.length > 0 ? { added } : null;
    },
    revertSql: `tags = array(select tag from unnest(d.tags) with ordinality as kept(tag, position)
                       where tag <> all(${textArray("p.undo -> 'added'")}) order by position)`,
  },
  // The tags it removed come back (after the device's current tags).
  remove_tags: {
    capture: (request, before) => {
      const removed = before.tags.filter((tag) => request.tags.includes(tag));
      return removed.length > 0 ? { removed } : null;
    },
    revertSql: `tags = d.tags || array(select tag from jsonb_array_elements_text(p.undo -> 'removed')
                       with ordinality as back(tag, position) where tag <> all(d.tags) order by position)`,
  },
  // Keys it added are removed; values it replaced come back.
  add_metadata: {
    capture: (request, before) => {
      const metadata: MetadataUndo['metadata'] = {};
      for (const [key, value] of Object.entries(request.metadata))
        if (before.metadata[key] !== value) metadata[key] = before.metadata[key] ?? null;
      return Object.keys(metadata).length > 0 ? { metadata } : null;
    },
    revertSql: `metadata = (d.metadata - array(select key from jsonb_each(p.undo -> 'metadata') where value = 'null'))
                       || jsonb_strip_nulls(p.undo -> 'metadata')`,
  },
  // The fields it changed go back to what they were.
  update_heartbeat: {
    capture: (request, before) => {
      const undo: HeartbeatUndo = {};
      if (request.heartbeat_period !== undefined && request.heartbeat_period !== before.heartbeat_period)
        undo.heartbeat_period = before.heartbeat_period;
      const values = request.heartbeat_values;
      if (values !== undefined && values.join('\u0000') !== before.heartbeat_values.join('\u0000'))
        undo.heartbeat_values = before.heartbeat_values;
      return Object.keys(undo).length > 0 ? undo : null;
    },
    revertSql: `heartbeat_period = coalesce((p.undo ->> 'heartbeat_period')::int, d.heartbeat_period),
                heartbeat_values = case when p.undo ? 'heartbeat_values'
                  then ${textArray("p.undo -> 'heartbeat_values'")} else d.heartbeat_values end`,
  },
};

// What the request's change replaces on a device (the entry of the request's own action).
export function undoOf(request: RegistryRequest, before: DeviceBefore): DeviceUndo | null {
  return (registryUndos[request.action] as RegistryUndo<RegistryRequest>).capture(request, before);
}

export function revertSqlOf(action: RegistryActionName): string {
  return registryUndos[action].revertSql;
}
