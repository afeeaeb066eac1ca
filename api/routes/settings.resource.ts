import { z } from 'zod';
import {
  settingSchema,
  createSettingSchema,
  updateSettingSchema,
  type CreateSetting,
  type UpdateSetting,
} from '../../contracts/configuration.schema';
import { objectId } from '../../contracts/fleet-action.schema';
import {
  createSetting,
  deleteSetting,
  getSetting,
  listSettings,
  updateSetting,
  type SettingRecord,
} from '../../registry/settings.repository';
import type { CrudResource } from './crud.router';
import { assertConfigurationExists } from './references';
import { parseOrReject } from './validation';

const settingFiltersSchema = z.object({ configuration_id: objectId.optional() });

export const settingsResource: CrudResource<CreateSetting, UpdateSetting, SettingRecord> = {
  path: '/settings',
  label: 'Setting',
  createSchema: createSettingSchema,
  updateSchema: updateSettingSchema,
  responseSchema: settingSchema,
  list: (database, caller, page, request) =>
    listSettings(
      database,
      caller.companyId,
      page,
      parseOrReject(settingFiltersSchema, request.query, 'query').configuration_id,
    ),
  get: (database, caller, id) => getSetting(database, caller.companyId, id),
  create: async (database, caller, body) => {
    await assertConfigurationExists(database, caller.companyId, body.configuration_id, 'configuration_id');
    return createSetting(database, caller.companyId, body);
  },
  update: (database, caller, id, body) => updateSetting(database, caller.companyId, id, body),
  remove: (database, caller, id) => deleteSetting(database, caller.companyId, id),
};
