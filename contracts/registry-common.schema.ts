import { z } from 'zod';
import { objectId } from './fleet-action.schema';
import { text, textJsonSchema } from './text.schema';

// Building blocks shared by the registry's request and response schemas.
export const name = text({ min: 1, max: 200, trim: true });
export const tag = text({ min: 1, max: 128, trim: true });
export const tagList = z.array(tag).max(100);
const mapKey = { min: 1, max: 128, trim: true };
export const stringMap = z
  .record(text(mapKey), text({ max: 1024 }))
  .refine((map) => Object.keys(map).length <= 100, 'at most 100 keys')
  .meta({ propertyNames: textJsonSchema(mapKey), maxProperties: 100 });
export const jsonObject = z
  .record(z.string(), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 64 * 1024, 'at most 64 KiB of JSON');
/** The highest page any list takes (and documents). */
export const maximumPage = 1_000_000;

export const deviceTypeIdList = z.array(objectId).max(100);

export const listQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(maximumPage).default(1),
  per_page: z.coerce.number().int().min(1).max(1000).default(100),
  page_meta: z.enum(['true', 'false']).optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

export const timestamps = { created_at: z.string(), updated_at: z.string() };

export function pagedListSchema<Resource extends z.ZodType>(resource: Resource) {
  return z.union([z.array(resource), z.object({ total: z.int(), resources: z.array(resource) })]);
}

export const errorBodySchema = z
  .object({
    error: z.string(),
    details: z
      .array(z.object({ field: z.string().optional(), row: z.int().optional(), message: z.string() }))
      .optional(),
  })
  .meta({ id: 'Error' });
