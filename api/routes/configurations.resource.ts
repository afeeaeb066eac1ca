import {
  configurationSchema,
  createConfigurationSchema,
  updateConfigurationSchema,
  type CreateConfiguration,
  type UpdateConfiguration,
} from '../../contracts/configuration.schema';
import {
  createConfiguration,
  deleteConfiguration,
  getConfiguration,
  listConfigurations,
  updateConfiguration,
  type ConfigurationRecord,
} from '../../registry/configurations.repository';
import type { CrudResource } from './crud.router';
import { assertDeviceTypesExist } from './references';

export const configurationsResource: CrudResource<CreateConfiguration, UpdateConfiguration, ConfigurationRecord> = {
  path: '/configurations',
  label: 'Configuration',
  createSchema: createConfigurationSchema,
  updateSchema: updateConfigurationSchema,
  responseSchema: configurationSchema,
  list: (database, caller, page) => listConfigurations(database, caller.companyId, page),
  get: (database, caller, id) => getConfiguration(database, caller.companyId, id),
  create: async (database, caller, body) => {
    await assertDeviceTypesExist(database, caller.companyId, body.device_type_ids, 'device_type_ids');
    return createConfiguration(database, caller.companyId, body);
  },
  update: async (database, caller, id, body) => {
    await assertDeviceTypesExist(database, caller.companyId, body.device_type_ids, 'device_type_ids');
    return updateConfiguration(database, caller.companyId, id, body);
  },
  remove: (database, caller, id) => deleteConfiguration(database, caller.companyId, id),
};
