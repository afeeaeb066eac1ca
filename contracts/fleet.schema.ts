import { z } from 'zod';
import { objectId } from './fleet-action.schema';

// A fleet is a saved device filter, resolved when an action starts. Every given clause must hold;
// no clause means every device of the company. Empty lists are refused rather than guessed at.
export const fleetCriteriaSchema = z.strictObject({
  device_type_ids: z.array(objectId).min(1).optional(),
  tags_all: z.array(z.string().min(1)).min(1).optional(),
  tags_any: z.array(z.string().min(1)).min(1).optional(),
  metadata: z
    .record(z.string().min(1), z.string())
    .refine((map) => Object.keys(map).length > 0, 'must have at least one key')
    .optional(),
  unique_ids: z.array(z.string().min(1)).min(1).max(10_000).optional(),
});
export type FleetCriteria = z.infer<typeof fleetCriteriaSchema>;
