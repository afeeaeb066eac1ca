import type { Logger } from 'pino';
import type { Queryable } from '../registry/database';
import { recordDevicePresence, type DevicePresenceUpdate } from '../registry/device-presence.repository';
import type { ReceivedHeartbeat, ReceivedPresence } from './device-transport';

// Collects heartbeats and presence messages in memory and writes them once per interval, one
// statement per flush, so a device's status stays live without a write per message: a device
// heard many times in one interval costs one row. Within a flush the latest event by receipt time
// wins (on a tie, the one received last); see registry/device-presence.repository.ts for how
// flushes from several service instances are ordered.

export interface PresenceRecorderOptions {
  database: Queryable;
  logger: Logger;
  flushIntervalMs?: number;
  // After a flush, the devices that became connected in it (connected was not true before, or
  // their status was not online); never called with none. Not awaited: a slow consumer must not
  // hold presence back. A device may be reported twice when two instances flush it together.
  onDevicesConnected?: (deviceIds: string[]) => Promise<void> | void;
  // After a flush, every device heard alive in it (a heartbeat or `online`) and when: a device
  // that answered a command and must be seen again (confirm_health) is seen here. Not awaited.
  onDevicesAlive?: (sightings: { deviceId: string; at: Date }[]) => Promise<void> | void;
}

export interface PresenceRecorder {
  record(heartbeat: Pick<ReceivedHeartbeat, 'companyId' | 'deviceId' | 'receivedAt'>): void;
  recordPresence(presence: Pick<ReceivedPresence, 'companyId' | 'deviceId' | 'online' | 'receivedAt'>): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

type PresenceEvent = NonNullable<DevicePresenceUpdate['event']>;

function later(current: PresenceEvent | null, candidate: PresenceEvent): PresenceEvent {
  return current && current.at.getTime() > candidate.at.getTime() ? current : candidate;
}

export function createPresenceRecorder(options: PresenceRecorderOptions): PresenceRecorder {
  let pending = new Map<string, DevicePresenceUpdate>();
  let flushing: Promise<void> = Promise.resolve();
  const entry = (companyId: string, deviceId: string): DevicePresenceUpdate => {
    let update = pending.get(deviceId);
    if (!update) pending.set(deviceId, (update = { companyId, deviceId, heartbeatAt: null, event: null }));
    return update;
  };
  const handOver = <Item>(items: Item[], to: ((items: Item[]) => Promise<void> | void) | undefined, what: string) => {
    if (items.length === 0 || !to) return;
    Promise.resolve()
      .then(() => to(items))
      .catch((error: unknown) => options.logger.warn({ err: error, devices: items.length }, `${what} not handed over`));
  };
  const flush = (): Promise<void> => {
    if (pending.size === 0) return flushing;
    const updates = [...pending.values()];
    pending = new Map();
    const alive = updates.flatMap((update) =>
      update.event?.online ? [{ deviceId: update.deviceId, at: update.event.at }] : [],
    );
    flushing = flushing
      .then(() => recordDevicePresence(options.database, updates))
      .then(
        (connected) => {
          handOver(connected, options.onDevicesConnected, 'connected devices');
          handOver(alive, options.onDevicesAlive, 'devices heard alive');
        },
        (error: unknown) => options.logger.warn({ err: error, devices: updates.length }, 'presence flush failed'),
      );
    return flushing;
  };
  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 1000);
  timer.unref();
  return {
    record: ({ companyId, deviceId, receivedAt }) => {
      const update = entry(companyId, deviceId);
      if (!update.heartbeatAt || receivedAt.getTime() > update.heartbeatAt.getTime()) update.heartbeatAt = receivedAt;
      update.event = later(update.event, { online: true, at: receivedAt, announced: false });
    },
    recordPresence: ({ companyId, deviceId, online, receivedAt }) => {
      const update = entry(companyId, deviceId);
      update.event = later(update.event, { online, at: receivedAt, announced: true });
    },
    flush,
    close: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}
