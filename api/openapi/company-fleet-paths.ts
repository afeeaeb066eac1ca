import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { companySchema, updateCompanySchema } from '../../contracts/company.schema';
import { deviceSchema } from '../../contracts/device.schema';
import { listQuerySchema, pagedListSchema } from '../../contracts/registry-common.schema';
import { errorResponses, security } from './registry-paths';
import { objectId } from '../../contracts/fleet-action.schema';

const idParams = z.object({ id: objectId.meta({ description: '24-hex object id' }) });
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

// The caller's own company, and the preview of what a fleet resolves to.
export function registerCompanyAndFleetPaths(registry: OpenAPIRegistry) {
  registerCompanyPaths(registry);
  registerFleetDevicesPath(registry);
}

function registerCompanyPaths(registry: OpenAPIRegistry) {
  const common = { security };
  registry.registerPath({
    ...common,
    tags: ['Companies'],
    method: 'get',
    path: '/api/v1/platform/companies',
    summary: "The caller's company (a list of one)",
    responses: { 200: { description: 'OK', ...json(pagedListSchema(companySchema)) }, 401: errorResponses[401] },
  });
  registry.registerPath({
    ...common,
    tags: ['Companies'],
    method: 'get',
    path: '/api/v1/platform/companies/{id}',
    summary: "The caller's company",
    request: { params: idParams },
    responses: {
      200: { description: 'OK', ...json(companySchema) },
      401: errorResponses[401],
      404: errorResponses[404],
    },
  });
  for (const method of ['put', 'patch'] as const) {
    registry.registerPath({
      ...common,
      tags: ['Companies'],
      method,
      path: '/api/v1/platform/companies/{id}',
      summary: "Rename the caller's company",
      request: { params: idParams, body: { required: true, ...json(updateCompanySchema) } },
      responses: { 200: { description: 'OK', ...json(companySchema) }, ...errorResponses },
    });
  }
}

function registerFleetDevicesPath(registry: OpenAPIRegistry) {
  registry.registerPath({
    security,
    tags: ['Fleets'],
    method: 'get',
    path: '/api/v1/platform/fleets/{id}/devices',
    summary: 'The devices the fleet selects now',
    request: { params: idParams, query: listQuerySchema },
    responses: {
      200: { description: 'OK', ...json(pagedListSchema(deviceSchema)) },
      401: errorResponses[401],
      404: errorResponses[404],
    },
  });
}
