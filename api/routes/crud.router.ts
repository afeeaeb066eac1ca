import { Router, type Request, type RequestHandler } from 'express';
import type { z } from 'zod';
import type { Database, Queryable } from '../../registry/database';
import type { PageRequest, PageResult } from '../../registry/pagination';
import { callerOf, type Caller, type Role } from '../caller';
import { NotFoundError } from '../errors';
import { requireRole } from '../middleware/require-role';
import { bodyOf, idParameter, pageOf } from './validation';

// One registry object exposed as EdgeIQ-style REST: list, get, create, update (PUT or PATCH,
// both partial), delete. Every operation is scoped by the caller's company, so another
// company's id is indistinguishable from a missing one.
export interface CrudResource<Created, Updated, Record> {
  path: string;
  label: string;
  createSchema: z.ZodType<Created>;
  updateSchema: z.ZodType<Updated>;
  // What the API answers for one object; used for the OpenAPI document.
  responseSchema: z.ZodType;
  readRole?: Role;
  writeRole?: Role;
  list(database: Queryable, caller: Caller, page: PageRequest, request: Request): Promise<PageResult<Record>>;
  get(database: Queryable, caller: Caller, id: string): Promise<Record | undefined>;
  create(database: Queryable, caller: Caller, body: Created): Promise<Record>;
  update(database: Queryable, caller: Caller, id: string, body: Updated): Promise<Record | undefined>;
  remove(database: Queryable, caller: Caller, id: string): Promise<boolean>;
}

export function crudRouter<Created, Updated, Record>(
  database: Database,
  resource: CrudResource<Created, Updated, Record>,
): Router {
  const router = Router();
  addReadRoutes(router, database, resource);
  addWriteRoutes(router, database, resource);
  return router;
}

function addReadRoutes<Created, Updated, Record>(
  router: Router,
  database: Database,
  resource: CrudResource<Created, Updated, Record>,
) {
  const canRead = requireRole(resource.readRole ?? 'viewer');
  router.get(resource.path, canRead, async (request, response) => {
    const { page, withMeta } = pageOf(request);
    const result = await resource.list(database, callerOf(response), page, request);
    response.json(withMeta ? { total: result.total, resources: result.rows } : result.rows);
  });
  router.get(`${resource.path}/:id`, canRead, async (request, response) => {
    const id = idParameter(request);
    response.json(found(await resource.get(database, callerOf(response), id), resource.label));
  });
}

// Writes run in one transaction each, so a create that also issues credentials or a setting
// version is all or nothing.
function addWriteRoutes<Created, Updated, Record>(
  router: Router,
  database: Database,
  resource: CrudResource<Created, Updated, Record>,
) {
  const canWrite = requireRole(resource.writeRole ?? 'admin');
  const itemPath = `${resource.path}/:id`;
  router.post(resource.path, canWrite, async (request, response) => {
    const body = bodyOf(resource.createSchema, request);
    const caller = callerOf(response);
    response.status(201).json(await database.transaction((transaction) => resource.create(transaction, caller, body)));
  });
  const update: RequestHandler = async (request, response) => {
    const id = idParameter(request);
    const body = bodyOf(resource.updateSchema, request);
    const caller = callerOf(response);
    const updated = await database.transaction((transaction) => resource.update(transaction, caller, id, body));
    response.json(found(updated, resource.label));
  };
  router.put(itemPath, canWrite, update);
  router.patch(itemPath, canWrite, update);
  router.delete(itemPath, canWrite, async (request, response) => {
    const id = idParameter(request);
    const deleted = await database.transaction((transaction) => resource.remove(transaction, callerOf(response), id));
    if (!deleted) throw new NotFoundError(resource.label);
    response.json({ _id: id, deleted: true });
  });
}

export function found<Value>(value: Value | undefined, label: string): Value {
  if (value === undefined) throw new NotFoundError(label);
  return value;
}
