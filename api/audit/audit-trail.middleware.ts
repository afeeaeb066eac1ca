import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { AuditActionName } from '../../contracts/audit.schema';
import { findAuditActor, type AuditActorRecord } from '../../registry/audit-actor.repository';
import { appendAuditEntry } from '../../registry/audit-entries.repository';
import type { Queryable } from '../../registry/database';
import type { Caller } from '../caller';
import { auditedActions, type AuditContext, type AuditedAction } from './audited-actions';
import { auditCopyOf } from './request-copy';

export interface AuditDependencies {
  database: Queryable;
  logger: Logger;
}

// The one place requests become audit entries: the step the audit router places ahead of each
// audited route. It sees every answer of that route, refusals included. The entry is written when
// the route answers and before the answer is released: a caller who has its answer finds the
// entry, and a process that dies after answering has already written it. A failed write is
// logged, never turned into an error: the action itself has happened.
export function auditStep(dependencies: AuditDependencies, action: AuditActionName): RequestHandler {
  const definition = auditedActions[action];
  return (request, response, next) => {
    const context: AuditContext = { params: { ...request.params }, response, answer: undefined };
    const json = response.json.bind(response);
    response.json = (body: unknown) => {
      context.answer = body;
      return json(body);
    };
    holdAnswerUntil(response, () => record(dependencies, request, action, definition, context));
    next();
  };
}

// Defers the answer's end (headers and body leave together) until `work` has settled.
function holdAnswerUntil(response: Response, work: () => Promise<void>): void {
  const end = response.end.bind(response) as (...args: unknown[]) => Response;
  let held = false;
  response.end = ((...args: unknown[]) => {
    if (held) return end(...args);
    held = true;
    void work().finally(() => end(...args));
    return response;
  }) as Response['end'];
}

async function record(
  { database, logger }: AuditDependencies,
  request: Request,
  action: AuditActionName,
  definition: AuditedAction,
  context: AuditContext,
): Promise<void> {
  const { response } = context;
  const statusCode = response.statusCode;
  try {
    if (definition.records && !definition.records(statusCode)) return;
    const actor = await actorOf(database, definition, request, response);
    if (!actor) return;
    await appendAuditEntry(database, {
      companyId: actor.companyId,
      actor: { userId: actor.userId, email: actor.email, role: actor.role },
      address: request.ip ?? 'unknown',
      action,
      method: request.method,
      path: pathOf(request),
      object: {
        type: definition.objectType,
        id: definition.objectId ? (definition.objectId(context) ?? null) : actor.userId,
      },
      createdBulkResponseId: definition.createdBulkResponseId?.(context),
      request: auditCopyOf(request.body),
      statusCode,
    });
  } catch (error) {
    logger.error({ err: error, action, statusCode, path: pathOf(request) }, 'audit entry not recorded');
  }
}

// Unknown callers (no or a bad token, a login naming no account) leave no entry: there is no
// company to file it under.
async function actorOf(
  database: Queryable,
  definition: AuditedAction,
  request: Request,
  response: Response,
): Promise<AuditActorRecord | undefined> {
  const locals = response.locals as { caller?: Caller; tokenOwnerId?: string };
  switch (definition.actor ?? 'caller') {
    case 'caller':
      return locals.caller;
    case 'token_owner':
      return locals.tokenOwnerId ? findAuditActor(database, { userId: locals.tokenOwnerId }) : undefined;
    case 'login': {
      const body = (request.body ?? {}) as { email?: unknown; username?: unknown };
      const email = body.email ?? body.username;
      return typeof email === 'string' && email.length <= 254 ? findAuditActor(database, { email }) : undefined;
    }
  }
}

function pathOf(request: Request): string {
  return (request.originalUrl.split('?')[0] ?? '').slice(0, 512);
}
