import type { PageResult } from '../contracts/bulk-action.types';
import type { CountsSnapshot } from '../contracts/rollout-model';
import { readCountsSnapshot } from '../registry/bulk-response-counts.repository';
import type { Database } from '../registry/database';
import type { DeviceTransport } from '../transport/device-transport';
import { publishConfigurations } from './device-configuration';
import {
  applyRegistryActionPage,
  pushesConfiguration,
  type RegistryPageRequest,
} from '../registry/registry-actions.repository';

export type RegistryPageInput = RegistryPageRequest;

export function createRegistryActionActivities({
  database,
  transport,
}: {
  database: Database;
  transport: DeviceTransport;
}) {
  return {
    // Every registry action: a page in one transaction; a change the devices must see (a
    // heartbeat's) is then pushed to each as its retained configuration (idempotent if retried).
    async applyRegistryPage(input: RegistryPageInput): Promise<PageResult & { snapshot: CountsSnapshot }> {
      const { updated, ...page } = await applyRegistryActionPage(database, input);
      if (pushesConfiguration(input.request)) await publishConfigurations(transport, input.companyId, updated);
      return { ...page, snapshot: await readCountsSnapshot(database, input.bulkResponseId) };
    },
  };
}
