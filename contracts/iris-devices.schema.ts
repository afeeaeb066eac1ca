import { z } from 'zod';
import { deviceSchema } from './device.schema';
import { text } from './text.schema';

export const paginateOrderColumns = [
  'unique_id',
  'serial',
  'name',
  'created_at',
  'updated_at',
  'heartbeat_period',
  'last_seen_at',
  'active',
] as const;

export const paginateDevicesRequestSchema = z
  .strictObject({
    paginationSize: z.int().min(1).max(1000).default(10),
    page: z
      .int()
      .min(-1_000_000)
      .max(1_000_000)
      .default(1)
      .meta({ description: 'Pages count from 1; 0 or below means the first page.' }),
    orderBy: z.enum(paginateOrderColumns).default('created_at'),
    orderDirection: z.boolean().default(false).meta({ description: 'true = descending.' }),
    search: text({ max: 200 }).optional().meta({ description: 'Case-sensitive substring of serial, name or a tag.' }),
  })
  .meta({ id: 'PaginateDevicesRequest' });
export type PaginateDevicesRequest = z.infer<typeof paginateDevicesRequestSchema>;

export const paginateDevicesResponseSchema = z
  .object({ rows: z.array(deviceSchema.extend({ serial: z.string() })), count: z.int() })
  .meta({ id: 'PaginateDevicesResponse' });
