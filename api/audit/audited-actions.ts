import type { Response } from 'express';
import type { AuditActionName, AuditObjectType } from '../../contracts/audit.schema';
import { objectIdPattern } from '../../registry/object-id';

// What one answered request tells about itself, once its status is known. The path parameters
// are taken when the audit step matches (Express replaces `request.params` as routing goes on).
export interface AuditContext {
  params: Record<string, string | string[] | undefined>;
  response: Response;
  /** The JSON body the route answered, if any. */
  answer: unknown;
}

type IdOf = (context: AuditContext) => string | undefined;

// Who the entry names: the token's caller (every authenticated route), the account a login's body
// names (`email`, or IRIS360's `username`), or the user a route established itself (refresh:
// `response.locals.tokenOwnerId`).
export type ActorSource = 'caller' | 'login' | 'token_owner';

type Method = 'post' | 'put' | 'patch' | 'delete';

export interface AuditedAction {
  /** The routes that perform it, in Express path syntax, from the root of the app. */
  routes: [Method, string][];
  objectType: AuditObjectType;
  /** Absent: the object is the actor (a token issued to them). */
  objectId?: IdOf;
  createdBulkResponseId?: IdOf;
  actor?: ActorSource;
  /** Which answers make an entry; by default every one with a known actor. */
  records?: (statusCode: number) => boolean;
}

const asObjectId = (value: unknown) => (typeof value === 'string' && objectIdPattern.test(value) ? value : undefined);
const fromPath =
  (name: string): IdOf =>
  ({ params }) =>
    asObjectId(params[name]);
const fromAnswer =
  (field: string): IdOf =>
  ({ answer }) =>
    typeof answer === 'object' && answer !== null ? asObjectId((answer as Record<string, unknown>)[field]) : undefined;
const fromPathOrAnswer =
  (name: string, field: string): IdOf =>
  (context) =>
    fromPath(name)(context) ?? fromAnswer(field)(context);
const fromHeader =
  (name: string): IdOf =>
  ({ response }) =>
    asObjectId(response.get(name));

// Logins are open to anyone: an entry for each malformed (400) or throttled (429) attempt would
// let anybody grow a company's append-only trail without bound. Successes and wrong passwords
// (401, themselves throttled per account and address) are kept.
const successOrWrongPassword = (statusCode: number) => statusCode < 300 || statusCode === 401;

const platform = '/api/v1/platform';
const iris = '/api/public/v1';
const bulkResponse = `${platform}/bulk_responses/:bulkResponseId`;

const control = (name: string): AuditedAction => ({
  routes: [['post', `${bulkResponse}/${name}`]],
  objectType: 'bulk_response',
  objectId: fromPath('bulkResponseId'),
});
const startedFrom = (name: string): AuditedAction => ({
  ...control(name),
  createdBulkResponseId: fromAnswer('bulk_response_id'),
});
const crud = (objectType: AuditObjectType, routes: [Method, string][]): AuditedAction => ({
  routes,
  objectType,
  objectId: fromPathOrAnswer('id', '_id'),
});
const token = (actor: ActorSource, routes: [Method, string][]): AuditedAction => ({
  routes,
  objectType: 'user',
  actor,
  records: successOrWrongPassword,
});
const collection = (path: string): [Method, string][] => [['post', `${platform}/${path}`]];
const item = (path: string, ...methods: Method[]): [Method, string][] =>
  methods.map((method) => [method, `${platform}/${path}/:id`]);

// Every audited action: the routes that perform it and how its entry finds its object. The audit
// router (audit.routes.ts) places a step on each route ahead of the route itself, so refusals
// (403, 404, 409, ...) are recorded like successes. A new audited route is one line here.
export const auditedActions: Record<AuditActionName, AuditedAction> = {
  'bulk_response.start': {
    routes: [['post', `${platform}/fleets/:fleetId/actions`]],
    objectType: 'bulk_response',
    objectId: fromAnswer('bulk_response_id'),
    createdBulkResponseId: fromAnswer('bulk_response_id'),
  },
  'bulk_response.send_commands': {
    routes: [['post', `${iris}/devices/sendCommandsBulk`]],
    objectType: 'bulk_response',
    objectId: fromHeader('X-Bulk-Response-Id'),
    createdBulkResponseId: fromHeader('X-Bulk-Response-Id'),
  },
  'bulk_response.pause': control('pause'),
  'bulk_response.resume': control('resume'),
  'bulk_response.cancel': control('cancel'),
  'bulk_response.retry': startedFrom('retry'),
  'bulk_response.approve': control('approve'),
  'bulk_response.reject': control('reject'),
  'bulk_response.rollback': startedFrom('rollback'),
  'action_template.create': crud('action_template', collection('action_templates')),
  'action_template.update': crud('action_template', item('action_templates', 'put', 'patch')),
  'action_template.delete': crud('action_template', item('action_templates', 'delete')),
  'webhook.create': crud('webhook', collection('webhooks')),
  'webhook.delete': crud('webhook', item('webhooks', 'delete')),
  'user.create': crud('user', collection('users')),
  'user.update': crud('user', item('users', 'put', 'patch')),
  'user.delete': crud('user', item('users', 'delete')),
  'token.login': token('login', [
    ['post', `${platform}/user/authenticate`],
    ['post', `${iris}/auth/login`],
  ]),
  'token.api_token_reset': token('login', [['post', `${platform}/user/api_token_reset`]]),
  'token.refresh': token('token_owner', [['post', `${iris}/auth/refresh`]]),
  'device.credentials_rotate': {
    routes: [['post', `${platform}/devices/:id/credentials`]],
    objectType: 'device',
    objectId: fromPath('id'),
  },
  'fleet.device_credentials_rotate': {
    routes: [['post', `${platform}/fleets/:fleetId/device_credentials`]],
    objectType: 'fleet',
    objectId: fromPath('fleetId'),
  },
};
