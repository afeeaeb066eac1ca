import type { Request } from 'express';
import type { z } from 'zod';
import { objectId } from '../../contracts/fleet-action.schema';
import { listQuerySchema } from '../../contracts/registry-common.schema';
import type { PageRequest } from '../../registry/pagination';
import { BadRequestError } from '../errors';
import { zodDetails } from '../middleware/error-handler';

// Parses with `schema` and answers 400 naming every offending field (prefixed by `where`).
export function parseOrReject<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  where?: string,
): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = zodDetails(parsed.error).map((detail) => ({
    ...detail,
    field: where ? (detail.field === '(body)' ? where : `${where}.${detail.field}`) : detail.field,
  }));
  throw new BadRequestError(`Invalid request: ${details.map((detail) => detail.field).join(', ')}`, details);
}

export function bodyOf<Schema extends z.ZodType>(schema: Schema, request: Request): z.infer<Schema> {
  return parseOrReject(schema, request.body ?? undefined);
}

export function idParameter(request: Request, name = 'id'): string {
  return parseOrReject(objectId, request.params[name], name);
}

export function pageOf(request: Request): { page: PageRequest; withMeta: boolean } {
  const query = parseOrReject(listQuerySchema, request.query, 'query');
  return { page: { page: query.page, perPage: query.per_page }, withMeta: query.page_meta === 'true' };
}
