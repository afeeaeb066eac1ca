import type { Logger } from 'pino';
import type { Queryable } from '../registry/database';
import { startEmbeddedBroker, type EmbeddedBroker } from '../transport/broker';
import { freePort } from './free-port';

// The embedded broker on one fixed loopback port, so it can be restarted under its clients: they
// reconnect to the same url. aedes keeps sessions in memory, so a restart loses every session,
// subscription and queued message; clients resubscribe and the engine's re-sends do the rest.

export interface RestartableBroker {
  readonly url: string;
  // Closed, then started again on the same port once `downMilliseconds` passed (default at once).
  restart(downMilliseconds?: number): Promise<void>;
  close(): Promise<void>;
}

export interface RestartableBrokerOptions {
  database: Queryable;
  service: { username: string; password: string };
  logger: Logger;
}

export async function startRestartableBroker(options: RestartableBrokerOptions): Promise<RestartableBroker> {
  const port = await freePort();
  const start = () =>
    startEmbeddedBroker({
      port,
      database: options.database,
      serviceUsername: options.service.username,
      servicePassword: options.service.password,
      logger: options.logger,
    });
  let broker: EmbeddedBroker = await start();
  return {
    url: broker.url,
    restart: async (downMilliseconds = 0) => {
      await broker.close();
      if (downMilliseconds > 0) await new Promise((resolve) => setTimeout(resolve, downMilliseconds));
      broker = await start();
    },
    close: () => broker.close(),
  };
}
