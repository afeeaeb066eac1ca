import type { Database } from '../../registry/database';
import { rotateDeviceCredentials } from '../../registry/device-credentials.repository';
import { startSimulatedFleet, type SimulatedFleet, type SimulatedFleetOptions } from '../../simulator/device-fleet';
import { silentLogger } from '../../harness/device-fixtures';

// Every device of a company, connected through the simulator with freshly issued credentials.
export async function simulateCompanyDevices(
  database: Database,
  companyId: string,
  url: string,
  options: Omit<SimulatedFleetOptions, 'url' | 'devices' | 'logger'> = {},
): Promise<SimulatedFleet> {
  const devices = await database.query<{ id: string }>('select id from devices where company_id = $1 order by id', [
    companyId,
  ]);
  return simulateDevices(
    database,
    companyId,
    url,
    devices.map((device) => device.id),
    options,
  );
}

// The given devices of a company, connected as a real device would, with issued credentials.
export async function simulateDevices(
  database: Database,
  companyId: string,
  url: string,
  deviceIds: string[],
  options: Omit<SimulatedFleetOptions, 'url' | 'devices' | 'logger'> = {},
): Promise<SimulatedFleet> {
  const credentials = await rotateDeviceCredentials(database, companyId, deviceIds);
  return startSimulatedFleet({
    url,
    devices: credentials.map((credential) => ({
      companyId,
      deviceId: credential.device_id,
      username: credential.username,
      password: credential.password,
    })),
    logger: silentLogger,
    ...options,
  });
}
