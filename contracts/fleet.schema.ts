import { z } from 'zod';
import { objectId } from './fleet-action.schema';
import { name } from './registry-common.schema';

// A fleet is a saved device filter, resolved when an action starts. Every given clause must hold;
// no clause means every device of the company. Empty lists are refused rather than guessed at.
export const fleetCriteriaSchema = z.strictObject({
  device_type_ids: z.array(objectId).min(1).optional(),
  tags_all: z.array(z.string().min(1)).min(1).optional(),
  tags_any: z.array(z.string().min(1)).min(1).optional(),
  metadata: z
    .record(z.string().min(1), z.string())
    .refine((map) => Object.keys(map).length > 0, 'must have at least one key')
    .meta({ propertyNames: { type: 'string', minLength: 1 }, minProperties: 1 })
    .optional(),
  unique_ids: z.array(z.string().min(1)).min(1).max(10_000).optional(),
});
export type FleetCriteria = z.infer<typeof fleetCriteriaSchema>;

export const createFleetSchema = z.strictObject({
  name,
  criteria: fleetCriteriaSchema.default({}),
});
export type CreateFleet = z.infer<typeof createFleetSchema>;

export const updateFleetSchema = z.strictObject({
  name: name.optional(),
  criteria: fleetCriteriaSchema.optional(),
});
export type UpdateFleet = z.infer<typeof updateFleetSchema>;

export const fleetSchema = z
  .object({
    _id: z.string(),
    company_id: z.string(),
    name: z.string(),
    criteria: fleetCriteriaSchema,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Fleet' });
