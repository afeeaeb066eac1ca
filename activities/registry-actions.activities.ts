import type { DeviceSource, PageResult } from '../contracts/bulk-action.types';
import type { Database } from '../registry/database';
import { applyRegistryActionPage, type RegistryActionRequest } from '../registry/registry-actions.repository';

export interface RegistryPageInput {
  bulkResponseId: string;
  companyId: string;
  source: DeviceSource;
  request: RegistryActionRequest;
  afterDeviceId: string | null;
  limit: number;
}

export function createRegistryActionActivities({ database }: { database: Database }) {
  return {
    // add_tags, add_metadata and the registry half of update_heartbeat: a page in one statement.
    async applyRegistryPage(input: RegistryPageInput): Promise<PageResult> {
      const { counts, lastDeviceId, deviceCount } = await applyRegistryActionPage(database, input);
      return { counts, lastDeviceId, deviceCount };
    },
  };
}
