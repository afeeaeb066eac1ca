import type { Queryable } from '../../registry/database';
import { dispatchDevices, type DispatchedRow, type DispatchRequest } from '../../registry/device-dispatch.repository';

// One device's dispatch, for tests that follow a single row through the engine's statements.
export async function dispatchOne(
  database: Queryable,
  request: Omit<DispatchRequest, 'deviceIds'> & { deviceId: string },
): Promise<DispatchedRow> {
  const { deviceId, ...rest } = request;
  const rows = await dispatchDevices(database, { ...rest, deviceIds: [deviceId] });
  return rows.get(deviceId)!;
}
