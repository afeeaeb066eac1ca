import type { Database } from '../registry/database';
import type { DeviceTransport } from '../transport/device-transport';
import { createDeviceDispatchActivities } from './device-dispatch.activities';
import type { EngineObserver } from './engine-observer';
import { createRegistryActionActivities } from './registry-actions.activities';
import { createRolloutRecordActivities } from './rollout-record.activities';
import { createWebhookActivities } from './webhook.activities';

export interface ActivityDependencies {
  database: Database;
  transport: DeviceTransport;
  // WEBHOOK_ALLOW_PRIVATE: webhook deliveries may reach loopback and private networks.
  allowPrivateWebhookAddresses?: boolean;
  // Metrics and transition logs; silent unless the worker wires them.
  observer?: EngineObserver;
}

// The worker registers this object; workflows see only its type, through proxyActivities.
export function createActivities(dependencies: ActivityDependencies) {
  return {
    ...createRolloutRecordActivities(dependencies),
    ...createDeviceDispatchActivities(dependencies),
    ...createRegistryActionActivities(dependencies),
    ...createWebhookActivities(dependencies),
  };
}

export type Activities = ReturnType<typeof createActivities>;
