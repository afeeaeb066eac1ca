import type { Logger } from 'pino';
import type { Queryable } from '../registry/database';
import { recordDevicesSeen, type DeviceSighting } from '../registry/device-presence.repository';
import type { ReceivedHeartbeat } from './device-transport';

// Collects heartbeats in memory and writes them to devices.last_seen_at once per interval, one
// statement per flush, so heartbeat_status stays live without a write per heartbeat. A device
// heard several times in one interval costs one row.

export interface PresenceRecorderOptions {
  database: Queryable;
  logger: Logger;
  flushIntervalMs?: number;
}

export interface PresenceRecorder {
  record(heartbeat: Pick<ReceivedHeartbeat, 'companyId' | 'deviceId' | 'receivedAt'>): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createPresenceRecorder(options: PresenceRecorderOptions): PresenceRecorder {
  let pending = new Map<string, DeviceSighting>();
  let flushing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (pending.size === 0) return flushing;
    const sightings = [...pending.values()];
    pending = new Map();
    flushing = flushing
      .then(() => recordDevicesSeen(options.database, sightings))
      .then(
        () => undefined,
        (error: unknown) => options.logger.warn({ err: error, devices: sightings.length }, 'presence flush failed'),
      );
    return flushing;
  };
  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 1000);
  timer.unref();
  return {
    record: ({ companyId, deviceId, receivedAt }) => {
      pending.set(deviceId, { companyId, deviceId, seenAt: receivedAt });
    },
    flush,
    close: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}
