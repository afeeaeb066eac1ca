import { gatewayCommands } from '../contracts/fleet-action.schema';
import { createCommand } from './commands.repository';
import { createConfiguration } from './configurations.repository';
import type { Queryable } from './database';
import { createDeviceType } from './device-types.repository';
import { upsertDevices, type DeviceUpsertRow } from './device-upsert.repository';
import { createFleet } from './fleets.repository';
import { createSetting } from './settings.repository';

export const demoFleetNames = ['All devices', 'Gateways', 'Lobby devices'] as const;

interface DemoDeviceTypes {
  gateway: string;
  sensor: string;
  cloudNative: string;
}

// The registry content of the demo company: what a new user needs to try every fleet action.
export async function createDemoContent(
  database: Queryable,
  companyId: string,
): Promise<{ _id: string; name: string }[]> {
  const deviceTypes = await createDemoDeviceTypes(database, companyId);
  await createDemoCommandsAndConfiguration(database, companyId, deviceTypes.gateway);
  for (let chunk = 0; chunk < 1000; chunk += 500) {
    await upsertDevices(database, companyId, demoDevices(deviceTypes).slice(chunk, chunk + 500));
  }
  const fleets = [
    await createFleet(database, companyId, { name: demoFleetNames[0], criteria: {} }),
    await createFleet(database, companyId, {
      name: demoFleetNames[1],
      criteria: { device_type_ids: [deviceTypes.gateway] },
    }),
    await createFleet(database, companyId, { name: demoFleetNames[2], criteria: { tags_any: ['lobby'] } }),
  ];
  return fleets.map((fleet) => ({ _id: fleet._id, name: fleet.name }));
}

async function createDemoDeviceTypes(database: Queryable, companyId: string): Promise<DemoDeviceTypes> {
  const everyCommand = Object.fromEntries(gatewayCommands.map((command) => [command, true]));
  const gateway = await createDeviceType(database, companyId, {
    name: 'Edge Gateway EG-400',
    manufacturer: 'Acme IoT',
    model: 'EG-400',
    type: 'gateway',
    capabilities: { actions: everyCommand },
  });
  const sensor = await createDeviceType(database, companyId, {
    name: 'Climate Sensor CS-10',
    manufacturer: 'Acme IoT',
    model: 'CS-10',
    type: 'sensor',
    capabilities: { actions: { reboot: true, heartbeat: true } },
  });
  const cloudNative = await createDeviceType(database, companyId, {
    name: 'Cloud Meter',
    manufacturer: 'Acme IoT',
    model: 'CM-1',
    type: 'cloud_native',
    capabilities: { actions: { heartbeat: true, status: true, log_level: true } },
  });
  return { gateway: gateway._id, sensor: sensor._id, cloudNative: cloudNative._id };
}

async function createDemoCommandsAndConfiguration(
  database: Queryable,
  companyId: string,
  gatewayTypeId: string,
): Promise<void> {
  await createCommand(database, companyId, {
    name: 'Restart application',
    payload: { command: 'restart_application' },
  });
  await createCommand(database, companyId, {
    name: 'Identify (blink LED)',
    payload: { command: 'identify', seconds: 10 },
  });
  await createCommand(database, companyId, {
    name: 'Apply configuration',
    device_type_ids: [gatewayTypeId],
    payload: { command: 'apply_configuration' },
  });
  const configuration = await createConfiguration(database, companyId, {
    name: 'Gateway defaults',
    device_type_ids: [gatewayTypeId],
  });
  const network = await createSetting(database, companyId, {
    configuration_id: configuration._id,
    name: 'Network',
    values: { mtu: 1500, dhcp: true },
  });
  const logging = await createSetting(database, companyId, {
    configuration_id: configuration._id,
    name: 'Logging',
    values: { level: 'info' },
  });
  await database.query('insert into setting_versions (setting_id, version, "values") values ($1, 2, $2), ($3, 2, $4)', [
    network._id,
    JSON.stringify({ mtu: 1400, dhcp: true }),
    logging._id,
    JSON.stringify({ level: 'debug', upload: true }),
  ]);
}

// 400 gateways, 500 sensors, 100 cloud meters; one in twenty inactive; two sites, every fourth
// device in a lobby, regions split between eu and us.
function demoDevices(deviceTypes: DemoDeviceTypes): DeviceUpsertRow[] {
  const groups = [
    { prefix: 'GW', count: 400, typeId: deviceTypes.gateway, period: 60, label: 'Gateway' },
    { prefix: 'SN', count: 500, typeId: deviceTypes.sensor, period: 300, label: 'Sensor' },
    { prefix: 'CN', count: 100, typeId: deviceTypes.cloudNative, period: 120, label: 'Cloud meter' },
  ];
  return groups.flatMap((group) =>
    Array.from({ length: group.count }, (_, index) => {
      const number = index + 1;
      const tags = [number % 2 === 0 ? 'site-b' : 'site-a', ...(number % 4 === 0 ? ['lobby'] : [])];
      return {
        unique_id: `${group.prefix}-${String(number).padStart(4, '0')}`,
        name: `${group.label} ${number}`,
        device_type_id: group.typeId,
        tags,
        metadata: { region: number % 3 === 0 ? 'us' : 'eu', site: tags[0]! },
        heartbeat_period: group.period,
        heartbeat_values: ['cpu_usage', 'ram_usage'],
        active: number % 20 !== 0,
      };
    }),
  );
}
