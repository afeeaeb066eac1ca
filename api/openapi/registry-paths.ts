import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { errorBodySchema, listQuerySchema, pagedListSchema } from '../../contracts/registry-common.schema';
import { objectId } from '../../contracts/fleet-action.schema';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
export const errorResponses = {
  400: { description: 'Invalid request; `details` names the fields', ...json(errorBodySchema) },
  401: { description: 'Not authorized: missing, invalid or expired token', ...json(errorBodySchema) },
  403: { description: 'Forbidden: the role does not allow this', ...json(errorBodySchema) },
  404: { description: 'Not found (or another company’s)', ...json(errorBodySchema) },
};
export const security = [{ token: [] }];
// Admission (SPEC §9): every operation that starts a bulk response.
export const admissionRefused = {
  description: 'The company already has MAX_ACTIVE_BULK_RESPONSES bulk responses not yet ended',
  headers: {
    'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' as const } },
  },
  ...json(errorBodySchema),
};
// What the document needs of a registry resource (a CrudResource has all of it).
export interface ResourceDescription {
  path: string;
  label: string;
  createSchema: z.ZodType;
  updateSchema: z.ZodType;
  responseSchema: z.ZodType;
}

const idParams = z.object({ id: objectId.meta({ description: '24-hex object id' }) });

// The five REST operations of one registry resource, from the schemas its routes validate with.
export function registerCrudPaths(registry: OpenAPIRegistry, resource: ResourceDescription, tag: string) {
  registerCollectionPaths(registry, resource, tag);
  registerItemPaths(registry, resource, tag);
}

function registerCollectionPaths(registry: OpenAPIRegistry, resource: ResourceDescription, tag: string) {
  const common = { tags: [tag], security, path: `/api/v1/platform${resource.path}` };
  registry.registerPath({
    ...common,
    method: 'get',
    summary: `List ${tag}`,
    request: { query: listQuerySchema },
    responses: {
      200: {
        description: 'An array, or {total, resources} with page_meta=true',
        ...json(pagedListSchema(resource.responseSchema)),
      },
      401: errorResponses[401],
    },
  });
  registry.registerPath({
    ...common,
    method: 'post',
    summary: `Create a ${resource.label.toLowerCase()}`,
    request: { body: { required: true, ...json(resource.createSchema) } },
    responses: { 201: { description: 'Created', ...json(resource.responseSchema) }, ...errorResponses },
  });
}

function registerItemPaths(registry: OpenAPIRegistry, resource: ResourceDescription, tag: string) {
  const common = { tags: [tag], security, path: `/api/v1/platform${resource.path}/{id}` };
  const label = resource.label.toLowerCase();
  registry.registerPath({
    ...common,
    method: 'get',
    summary: `Get a ${label}`,
    request: { params: idParams },
    responses: {
      200: { description: 'The object', ...json(resource.responseSchema) },
      401: errorResponses[401],
      404: errorResponses[404],
    },
  });
  for (const method of ['put', 'patch'] as const) {
    registry.registerPath({
      ...common,
      method,
      summary: `Update a ${label} (fields given only)`,
      request: { params: idParams, body: { required: true, ...json(resource.updateSchema) } },
      responses: { 200: { description: 'Updated', ...json(resource.responseSchema) }, ...errorResponses },
    });
  }
  registry.registerPath({
    ...common,
    method: 'delete',
    summary: `Delete a ${label}`,
    request: { params: idParams },
    responses: {
      200: { description: 'Deleted', ...json(z.object({ _id: z.string(), deleted: z.literal(true) })) },
      ...errorResponses,
    },
  });
}
