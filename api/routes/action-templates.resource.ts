import {
  actionTemplateSchema,
  createActionTemplateSchema,
  updateActionTemplateSchema,
  type CreateActionTemplate,
  type UpdateActionTemplate,
} from '../../contracts/action-template.schema';
import { fleetActionRequestSchema } from '../../contracts/fleet-action.schema';
import {
  createActionTemplate,
  deleteActionTemplate,
  getActionTemplate,
  listActionTemplates,
  updateActionTemplate,
  type ActionTemplateRecord,
} from '../../registry/action-templates.repository';
import type { Queryable } from '../../registry/database';
import { resolveCommand } from '../services/resolve-action-target.service';
import type { CrudResource } from './crud.router';

// The objects a body names (command, configuration, setting version) must exist in the company,
// as a start would find them: a template that could only ever answer 404 is refused when saved.
async function assertReferencesExist(database: Queryable, companyId: string, body: Record<string, unknown>) {
  await resolveCommand(database, companyId, fleetActionRequestSchema.parse(body));
}

// /action_templates (SPEC §10): operators and admins keep the company's templates, viewers read them.
export const actionTemplatesResource: CrudResource<CreateActionTemplate, UpdateActionTemplate, ActionTemplateRecord> = {
  path: '/action_templates',
  label: 'Action template',
  createSchema: createActionTemplateSchema,
  updateSchema: updateActionTemplateSchema,
  responseSchema: actionTemplateSchema,
  readRole: 'viewer',
  writeRole: 'operator',
  list: (database, caller, page) => listActionTemplates(database, caller.companyId, page),
  get: (database, caller, id) => getActionTemplate(database, caller.companyId, id),
  create: async (database, caller, body) => {
    await assertReferencesExist(database, caller.companyId, body.body);
    return createActionTemplate(database, caller.companyId, caller.userId, body);
  },
  update: async (database, caller, id, body) => {
    if (body.body) await assertReferencesExist(database, caller.companyId, body.body);
    return updateActionTemplate(database, caller.companyId, id, body);
  },
  remove: (database, caller, id) => deleteActionTemplate(database, caller.companyId, id),
};
