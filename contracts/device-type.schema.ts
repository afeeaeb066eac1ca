import { z } from 'zod';
import { gatewayCommands } from './fleet-action.schema';
import { name, timestamps } from './registry-common.schema';
import { text } from './text.schema';

export const deviceTypeKinds = ['gateway', 'sensor', 'cloud_native'] as const;

export const capabilitiesSchema = z.strictObject({
  actions: z
    .partialRecord(z.enum(gatewayCommands), z.boolean())
    .default({})
    .meta({ propertyNames: { enum: [...gatewayCommands] } }),
});

export const createDeviceTypeSchema = z.strictObject({
  name,
  manufacturer: text({ max: 200 }).optional(),
  model: text({ max: 200 }).optional(),
  type: z.enum(deviceTypeKinds),
  capabilities: capabilitiesSchema.optional(),
});
export type CreateDeviceType = z.infer<typeof createDeviceTypeSchema>;

export const updateDeviceTypeSchema = createDeviceTypeSchema.partial();
export type UpdateDeviceType = z.infer<typeof updateDeviceTypeSchema>;

export const deviceTypeSchema = z
  .object({
    _id: z.string(),
    company_id: z.string(),
    name: z.string(),
    manufacturer: z.string(),
    model: z.string(),
    type: z.enum(deviceTypeKinds),
    capabilities: z.object({ actions: z.record(z.string(), z.boolean()) }),
    ...timestamps,
  })
  .meta({ id: 'DeviceType' });
