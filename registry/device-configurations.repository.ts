import type { DeviceConfiguration } from '../contracts/device-protocol.schema';
import type { Queryable } from './database';

// Every device's retained configuration as the registry holds it, for republishing it to a
// broker that lost its retained messages (the embedded broker after a restart).
export interface StoredDeviceConfiguration {
  companyId: string;
  deviceId: string;
  configuration: DeviceConfiguration;
}

interface ConfigurationRow {
  id: string;
  company_id: string;
  heartbeat_period: number;
  heartbeat_values: string[];
  applied_settings: Record<string, number>;
  updated_at: Date;
}

// Keyset pages in id order across all companies.
export async function listDeviceConfigurations(
  database: Queryable,
  afterDeviceId: string,
  limit: number,
): Promise<StoredDeviceConfiguration[]> {
  const rows = await database.query<ConfigurationRow>(
    `select id, company_id, heartbeat_period, heartbeat_values, applied_settings, updated_at
       from devices where id > $1 order by id limit $2`,
    [afterDeviceId, limit],
  );
  return rows.map((row) => ({
    companyId: row.company_id,
    deviceId: row.id,
    configuration: {
      heartbeat_period: row.heartbeat_period,
      heartbeat_values: row.heartbeat_values,
      applied_settings: row.applied_settings,
      updated_at: new Date(row.updated_at).toISOString(),
    },
  }));
}
