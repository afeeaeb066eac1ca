import { z } from 'zod';
import {
  deviceSchema,
  createDeviceSchema,
  updateDeviceSchema,
  type CreateDevice,
  type UpdateDevice,
} from '../../contracts/device.schema';
import { objectId } from '../../contracts/fleet-action.schema';
import { issueDeviceCredential, type DeviceCredential } from '../../registry/device-credentials.repository';
import {
  createDevice,
  deleteDevice,
  getDevice,
  listDevices,
  updateDevice,
  type DeviceRecord,
} from '../../registry/devices.repository';
import type { CrudResource } from './crud.router';
import { assertDeviceTypesExist } from './references';
import { parseOrReject } from './validation';

const deviceFiltersSchema = z.object({ unique_id: z.string().min(1).optional(), device_type_id: objectId.optional() });

// A created device carries its broker credential, shown this once.
type DeviceAnswer = DeviceRecord | (DeviceRecord & { credentials: DeviceCredential });

export const devicesResource: CrudResource<CreateDevice, UpdateDevice, DeviceAnswer> = {
  path: '/devices',
  label: 'Device',
  createSchema: createDeviceSchema,
  updateSchema: updateDeviceSchema,
  responseSchema: deviceSchema,
  list: (database, caller, page, request) =>
    listDevices(database, caller.companyId, page, parseOrReject(deviceFiltersSchema, request.query, 'query')),
  get: (database, caller, id) => getDevice(database, caller.companyId, id),
  create: async (database, caller, body) => {
    await assertDeviceTypesExist(database, caller.companyId, [body.device_type_id], 'device_type_id');
    const device = await createDevice(database, caller.companyId, body);
    const credentials = await issueDeviceCredential(database, caller.companyId, device._id);
    return { ...device, credentials };
  },
  update: async (database, caller, id, body) => {
    if (body.device_type_id)
      await assertDeviceTypesExist(database, caller.companyId, [body.device_type_id], 'device_type_id');
    return updateDevice(database, caller.companyId, id, body);
  },
  remove: (database, caller, id) => deleteDevice(database, caller.companyId, id),
};
