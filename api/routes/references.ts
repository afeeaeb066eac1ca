import { getConfiguration } from '../../registry/configurations.repository';
import type { Queryable } from '../../registry/database';
import { unknownDeviceTypeIds } from '../../registry/device-types.repository';
import { HttpError } from '../errors';

// Ids a body refers to must belong to the caller's company; another company's id is reported
// exactly like a missing one (404 naming the field).
export async function assertDeviceTypesExist(
  database: Queryable,
  companyId: string,
  ids: readonly string[] | undefined,
  field: string,
) {
  const unknown = await unknownDeviceTypeIds(database, companyId, ids ?? []);
  if (unknown.length > 0) {
    throw new HttpError(
      404,
      'Device type not found',
      unknown.map((id) => ({ field, message: `device type ${id} not found` })),
    );
  }
}

export async function assertConfigurationExists(database: Queryable, companyId: string, id: string, field: string) {
  if (!(await getConfiguration(database, companyId, id))) {
    throw new HttpError(404, 'Configuration not found', [{ field, message: `configuration ${id} not found` }]);
  }
}
