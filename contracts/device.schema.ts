import { z } from 'zod';
import { heartbeatValueNames, objectId } from './fleet-action.schema';
import { stringMap, tagList, timestamps } from './registry-common.schema';
import { text } from './text.schema';

export const uniqueId = text({ min: 1, max: 200, trim: true });

export const createDeviceSchema = z.strictObject({
  unique_id: uniqueId,
  name: text({ max: 200 }).optional(),
  device_type_id: objectId,
  tags: tagList.optional(),
  metadata: stringMap.optional(),
  heartbeat_period: z
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .optional(),
  heartbeat_values: z.array(z.enum(heartbeatValueNames)).optional(),
  active: z.boolean().optional(),
});
export type CreateDevice = z.infer<typeof createDeviceSchema>;

export const updateDeviceSchema = createDeviceSchema.partial();
export type UpdateDevice = z.infer<typeof updateDeviceSchema>;

export const deviceSchema = z
  .object({
    _id: z.string(),
    company_id: z.string(),
    unique_id: z.string(),
    name: z.string(),
    device_type_id: z.string(),
    tags: z.array(z.string()),
    metadata: z.record(z.string(), z.string()),
    heartbeat_period: z.int(),
    heartbeat_values: z.array(z.string()),
    active: z.boolean(),
    heartbeat_status: z.enum(['online', 'idle', 'offline', 'never_reported']),
    last_seen_at: z.string().nullable(),
    applied_settings: z.record(z.string(), z.int()),
    ...timestamps,
  })
  .meta({ id: 'Device' });

export const createdDeviceSchema = deviceSchema
  .extend({ credentials: z.object({ username: z.string(), password: z.string() }) })
  .meta({ id: 'CreatedDevice', description: 'The broker credentials are shown once, at creation.' });
