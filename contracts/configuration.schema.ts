import { z } from 'zod';
import { objectId } from './fleet-action.schema';
import { deviceTypeIdList, jsonObject, name, timestamps } from './registry-common.schema';

export const createConfigurationSchema = z.strictObject({ name, device_type_ids: deviceTypeIdList.optional() });
export type CreateConfiguration = z.infer<typeof createConfigurationSchema>;

export const updateConfigurationSchema = createConfigurationSchema.partial();
export type UpdateConfiguration = z.infer<typeof updateConfigurationSchema>;

export const configurationSchema = z
  .object({
    _id: z.string(),
    company_id: z.string(),
    name: z.string(),
    device_type_ids: z.array(z.string()),
    ...timestamps,
  })
  .meta({ id: 'Configuration' });

// A setting's versions are immutable: sending `values` appends version n + 1.
export const createSettingSchema = z.strictObject({ configuration_id: objectId, name, values: jsonObject.optional() });
export type CreateSetting = z.infer<typeof createSettingSchema>;

export const updateSettingSchema = z.strictObject({ name: name.optional(), values: jsonObject.optional() });
export type UpdateSetting = z.infer<typeof updateSettingSchema>;

export const settingSchema = z
  .object({
    _id: z.string(),
    company_id: z.string(),
    configuration_id: z.string(),
    name: z.string(),
    latest_version: z.int(),
    values: z.record(z.string(), z.unknown()).meta({ description: 'The latest version’s values.' }),
    versions: z.array(
      z.object({ version: z.int(), values: z.record(z.string(), z.unknown()), created_at: z.string() }),
    ),
    ...timestamps,
  })
  .meta({ id: 'Setting' });
