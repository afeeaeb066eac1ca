import type { Database } from '../registry/database';
import type { DeviceTransport } from '../transport/device-transport';
import { createBulkResponseActivities } from './bulk-response.activities';
import { createDeviceCommandActivities } from './device-command.activities';
import { createRegistryActionActivities } from './registry-actions.activities';

export interface ActivityDependencies {
  database: Database;
  transport: DeviceTransport;
}

// The worker registers this object; workflows see only its type, through proxyActivities.
export function createActivities(dependencies: ActivityDependencies) {
  return {
    ...createBulkResponseActivities(dependencies),
    ...createRegistryActionActivities(dependencies),
    ...createDeviceCommandActivities(dependencies),
  };
}

export type Activities = ReturnType<typeof createActivities>;
