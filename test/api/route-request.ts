import type { Express } from 'express';
import request from 'supertest';
import type { CompanyObjects } from './company-objects';
import type { RouteCase } from './route-catalogue';

// Calls `route` for `objects` with the given Authorization header (none when undefined).
export function callRoute(app: Express, route: RouteCase, objects: CompanyObjects, authorization: string | undefined) {
  let call = request(app)[route.method](route.path(objects));
  if (authorization !== undefined) call = call.set('Authorization', authorization);
  const body = route.body?.(objects);
  return body === undefined ? call : call.send(body as object);
}
