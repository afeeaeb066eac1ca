import { createActionTemplate } from '../../registry/action-templates.repository';
import type { Database } from '../../registry/database';
import { createCommand } from '../../registry/commands.repository';
import { createConfiguration } from '../../registry/configurations.repository';
import { createDeviceType } from '../../registry/device-types.repository';
import { createDevice } from '../../registry/devices.repository';
import { createFleet } from '../../registry/fleets.repository';
import { createSetting } from '../../registry/settings.repository';

// One object of every kind, so every route has an id to be called with.
export interface CompanyObjects {
  companyId: string;
  userId: string;
  deviceTypeId: string;
  spareDeviceTypeId: string;
  deviceId: string;
  fleetId: string;
  commandId: string;
  configurationId: string;
  settingId: string;
  templateId: string;
}

export async function populateCompany(database: Database, companyId: string, userId: string): Promise<CompanyObjects> {
  const deviceType = await createDeviceType(database, companyId, {
    name: 'Gateway',
    type: 'gateway',
    capabilities: { actions: { reboot: true } },
  });
  const spare = await createDeviceType(database, companyId, { name: 'Spare', type: 'sensor' });
  const device = await createDevice(database, companyId, {
    unique_id: `SN-${companyId.slice(-6)}`,
    device_type_id: deviceType._id,
    tags: ['lobby'],
  });
  const fleet = await createFleet(database, companyId, { name: 'All', criteria: {} });
  const command = await createCommand(database, companyId, {
    name: 'Blink',
    device_type_ids: [deviceType._id],
    payload: { blink: 3 },
  });
  const configuration = await createConfiguration(database, companyId, {
    name: 'Defaults',
    device_type_ids: [deviceType._id],
  });
  const setting = await createSetting(database, companyId, {
    configuration_id: configuration._id,
    name: 'Network',
    values: { mtu: 1500 },
  });
  const template = await createActionTemplate(database, companyId, userId, {
    name: 'Tag the lobby',
    body: { action: 'add_tags', tags: ['lobby'] },
  });
  return {
    companyId,
    userId,
    deviceTypeId: deviceType._id,
    spareDeviceTypeId: spare._id,
    deviceId: device._id,
    fleetId: fleet._id,
    commandId: command._id,
    configurationId: configuration._id,
    settingId: setting._id,
    templateId: template._id,
  };
}

const snapshotTables = [
  'companies',
  'users',
  'device_types',
  'devices',
  'fleets',
  'commands',
  'configurations',
  'settings',
  'setting_versions',
  'action_templates',
];

// Every registry row, for "nothing changed" assertions.
export async function registrySnapshot(database: Database): Promise<string> {
  const tables: Record<string, unknown[]> = {};
  for (const table of snapshotTables) {
    tables[table] = await database.query(`select * from ${table} order by 1, 2`);
  }
  return JSON.stringify(tables);
}
