import { z } from 'zod';
import { deviceTypeIdList, jsonObject, name, timestamps } from './registry-common.schema';

export const createCommandSchema = z.strictObject({
  name,
  device_type_ids: deviceTypeIdList.optional().meta({ description: 'Empty or absent: every device type.' }),
  payload: jsonObject.optional(),
  options: jsonObject.optional(),
});
export type CreateCommand = z.infer<typeof createCommandSchema>;

export const updateCommandSchema = createCommandSchema.partial();
export type UpdateCommand = z.infer<typeof updateCommandSchema>;

export const commandSchema = z
  .object({
    _id: z.string(),
    company_id: z.string(),
    name: z.string(),
    device_type_ids: z.array(z.string()),
    payload: z.record(z.string(), z.unknown()),
    options: z.record(z.string(), z.unknown()),
    ...timestamps,
  })
  .meta({ id: 'Command' });
