import type { Client } from '@temporalio/client';
import type { Database } from '../registry/database';
import type { DeviceTransport } from '../transport/device-transport';
import type { EngineObserver } from './engine-observer';
import { createBulkResponseActivities } from './bulk-response.activities';
import { createDeviceCommandActivities } from './device-command.activities';
import { createReconcileActivities } from './reconcile.activities';
import { createRegistryActionActivities } from './registry-actions.activities';
import { createWebhookActivities } from './webhook.activities';

export interface ActivityDependencies {
  database: Database;
  transport: DeviceTransport;
  // WEBHOOK_ALLOW_PRIVATE: webhook deliveries may reach loopback and private networks.
  allowPrivateWebhookAddresses?: boolean;
  // The reconciler asks Temporal how executions ended; nothing else in activities uses it.
  temporal: Client;
  // Metrics and transition logs; silent unless the worker wires them.
  observer?: EngineObserver;
}

// The worker registers this object; workflows see only its type, through proxyActivities.
export function createActivities(dependencies: ActivityDependencies) {
  return {
    ...createBulkResponseActivities(dependencies),
    ...createRegistryActionActivities(dependencies),
    ...createDeviceCommandActivities(dependencies),
    ...createWebhookActivities(dependencies),
    ...createReconcileActivities(dependencies),
  };
}

export type Activities = ReturnType<typeof createActivities>;
