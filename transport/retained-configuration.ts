import { connectAsync } from 'mqtt';
import type { Logger } from 'pino';
import { deviceConfigurationSchema } from '../contracts/device-protocol.schema';
import { deviceTopic } from '../contracts/device-topics';
import type { Queryable } from '../registry/database';
import { listDeviceConfigurations } from '../registry/device-configurations.repository';

// The embedded broker (aedes) keeps retained messages in memory only, so after a restart of
// `npm start` a device would reconnect to no configuration. The registry is the truth: right after
// the broker starts, every device's configuration is published again, retained, a page at a time.
// (Mosquitto persists retained messages itself.) Its own short connection, with no subscriptions.

export interface RetainedConfigurationOptions {
  url: string;
  username: string;
  password: string;
  database: Queryable;
  logger: Logger;
  pageSize?: number;
}

export async function republishRetainedConfigurations(options: RetainedConfigurationOptions): Promise<number> {
  const client = await connectAsync(options.url, {
    username: options.username,
    password: options.password,
    clientId: `fleet-actions-retained-${process.pid}`,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });
  const pageSize = options.pageSize ?? 500;
  let published = 0;
  try {
    for (let after = ''; ;) {
      const page = await listDeviceConfigurations(options.database, after, pageSize);
      await Promise.all(
        page.map(({ companyId, deviceId, configuration }) =>
          client.publishAsync(
            deviceTopic({ companyId, deviceId }, 'configuration'),
            JSON.stringify(deviceConfigurationSchema.parse(configuration)),
            { qos: 1, retain: true },
          ),
        ),
      );
      published += page.length;
      if (page.length < pageSize) break;
      after = page[page.length - 1]!.deviceId;
    }
  } finally {
    await client.endAsync();
  }
  options.logger.info({ devices: published }, 'retained device configurations republished');
  return published;
}
