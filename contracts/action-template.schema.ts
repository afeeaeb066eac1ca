import { z } from 'zod';
import { fleetActionRequestSchema, objectId } from './fleet-action.schema';
import { name, timestamps } from './registry-common.schema';
import { text } from './text.schema';

// Action templates (SPEC §10): saved POST /fleets/{id}/actions bodies.

// A whole action body, checked by the very schema POST .../actions uses (its 400 names each field
// under `body.`), and kept as sent: defaults are applied when a start uses it, not frozen here.
export const actionTemplateBodySchema = z
  .record(z.string(), z.unknown())
  .superRefine((value, context) => {
    const parsed = fleetActionRequestSchema.safeParse(value);
    if (!parsed.success) for (const issue of parsed.error.issues) context.addIssue({ ...issue });
  })
  .meta({
    description: 'A POST /fleets/{fleet_id}/actions body: an action, its fields and an optional rollout',
    anyOf: fleetActionRequestSchema.options.map((option) => ({
      $ref: `#/components/schemas/${String(option.meta()?.id)}`,
    })),
    example: { action: 'issue_command', gateway_command: 'reboot', rollout: { canary: { percent: 1 } } },
  });

// Bounded in code points before trimming, as the document states it (contracts/text.schema.ts).
const description = text({ max: 1000, trim: true });

export const createActionTemplateSchema = z
  .strictObject({ name, description: description.optional(), body: actionTemplateBodySchema })
  .meta({
    id: 'CreateActionTemplate',
    example: {
      name: 'Tag for spring',
      description: 'Tags every device of the fleet spring-2027',
      body: { action: 'add_tags', tags: ['spring-2027'] },
    },
  });
export type CreateActionTemplate = z.infer<typeof createActionTemplateSchema>;

// A new body replaces the old one whole; it is checked as a whole again.
export const updateActionTemplateSchema = z
  .strictObject({
    name: name.optional(),
    description: description.optional(),
    body: actionTemplateBodySchema.optional(),
  })
  .meta({ id: 'UpdateActionTemplate' });
export type UpdateActionTemplate = z.infer<typeof updateActionTemplateSchema>;

export const actionTemplateSchema = z
  .object({
    _id: z.string(),
    company_id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    body: z.record(z.string(), z.unknown()),
    created_by: z.string().nullable(),
    ...timestamps,
  })
  .meta({ id: 'ActionTemplate' });

// POST /fleets/{id}/actions may name a template instead of carrying the whole body: the template's
// body with these fields laid over it (top-level fields replace the template's; `rollout` is merged
// one level deep; null removes a field), then validated as a whole.
export const templatedActionRequestSchema = z
  .looseObject({
    template_id: objectId.meta({ description: 'An action template (GET /action_templates)' }),
  })
  .meta({
    id: 'TemplatedActionRequest',
    description:
      "An action template's body with any fields of this request laid over it: top-level fields replace the template's, `rollout` is merged one level deep (a rollout control given here replaces the template's whole, e.g. its canary), and null removes a field. The result is validated as a whole, like any action body.",
  });
