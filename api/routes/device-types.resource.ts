import {
  deviceTypeSchema,
  createDeviceTypeSchema,
  updateDeviceTypeSchema,
  type CreateDeviceType,
  type UpdateDeviceType,
} from '../../contracts/device-type.schema';
import {
  createDeviceType,
  deleteDeviceType,
  deviceTypeInUse,
  getDeviceType,
  listDeviceTypes,
  updateDeviceType,
  type DeviceTypeRecord,
} from '../../registry/device-types.repository';
import { ConflictError } from '../errors';
import type { CrudResource } from './crud.router';

export const deviceTypesResource: CrudResource<CreateDeviceType, UpdateDeviceType, DeviceTypeRecord> = {
  path: '/device_types',
  label: 'Device type',
  createSchema: createDeviceTypeSchema,
  updateSchema: updateDeviceTypeSchema,
  responseSchema: deviceTypeSchema,
  list: (database, caller, page) => listDeviceTypes(database, caller.companyId, page),
  get: (database, caller, id) => getDeviceType(database, caller.companyId, id),
  create: (database, caller, body) => createDeviceType(database, caller.companyId, body),
  update: (database, caller, id, body) => updateDeviceType(database, caller.companyId, id, body),
  remove: async (database, caller, id) => {
    if (await deviceTypeInUse(database, caller.companyId, id)) {
      throw new ConflictError('Device type is in use by devices; delete or move them first');
    }
    return deleteDeviceType(database, caller.companyId, id);
  },
};
