import { templatedActionRequestSchema } from '../../contracts/action-template.schema';
import { fleetActionRequestSchema, type FleetActionRequest } from '../../contracts/fleet-action.schema';
import { getActionTemplate } from '../../registry/action-templates.repository';
import type { Queryable } from '../../registry/database';
import { NotFoundError } from '../errors';

type Body = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Lays `overrides` over `base`: each field replaces the base's, null removes it.
function layOver(base: Body, overrides: Body): Body {
  const merged: Body = { ...base };
  for (const [field, value] of Object.entries(overrides)) {
    if (value === null) delete merged[field];
    else merged[field] = value;
  }
  return merged;
}

// The template's body with the request's fields over it: top-level fields replace the template's,
// and `rollout` is merged one level deep, so `{"rollout": {"device_timeout_seconds": 60}}` keeps
// the template's canary while `{"rollout": {"canary": {...}}}` replaces that canary whole. Deeper
// merging would make a canary given as `count` collide with the template's `percent`.
export function mergeTemplateBody(template: Body, overrides: Body): Body {
  const merged = layOver(template, overrides);
  if (isPlainObject(template.rollout) && isPlainObject(overrides.rollout))
    merged.rollout = layOver(template.rollout, overrides.rollout);
  return merged;
}

// The action body of POST /fleets/{id}/actions (and its preview): as sent, or, with `template_id`,
// the company's template merged with the rest of the request. Either way validated as a whole by
// the one action schema, so a merged body is refused exactly like a sent one (400 naming fields).
export async function fleetActionBodyOf(
  database: Queryable,
  companyId: string,
  sent: unknown,
): Promise<FleetActionRequest> {
  if (!isPlainObject(sent) || !('template_id' in sent)) return fleetActionRequestSchema.parse(sent);
  const { template_id: templateId, ...overrides } = templatedActionRequestSchema.parse(sent);
  const template = await getActionTemplate(database, companyId, templateId);
  if (!template) throw new NotFoundError('Action template');
  return fleetActionRequestSchema.parse(mergeTemplateBody(template.body, overrides));
}
