import type { Logger } from 'pino';
import type { Queryable } from '../registry/database';
import { rolloutsWaitingFor } from '../registry/device-dispatch.repository';
import type { RolloutSignals } from './rollout-signals';

const intervalMilliseconds = 1_000;

// Devices heard from (connected, heartbeating) are looked up, once a second, among the commands
// waiting for them: each rollout holding one hears that it may send it now.
export function watchConnectedDevices(options: { database: Queryable; signals: RolloutSignals; logger: Logger }) {
  let heard = new Set<string>();
  let looking: Promise<void> = Promise.resolve();
  const look = () => {
    if (heard.size === 0) return looking;
    const deviceIds = [...heard];
    heard = new Set();
    looking = looking
      .then(async () => options.signals.devicesConnected(await rolloutsWaitingFor(options.database, deviceIds)))
      .catch((error: unknown) => options.logger.warn({ err: error }, 'waiting commands not looked up'));
    return looking;
  };
  const timer = setInterval(() => void look(), intervalMilliseconds);
  timer.unref();
  return {
    seen(deviceId: string): void {
      heard.add(deviceId);
    },
    close: async () => {
      clearInterval(timer);
      await look();
    },
  };
}
