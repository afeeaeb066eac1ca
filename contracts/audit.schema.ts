import { z } from 'zod';
import { objectId } from './fleet-action.schema';

// The audit trail's API (SPEC §10): which actions are recorded, the query its list validates and
// the entry it answers.

export const auditActionNames = [
  'bulk_response.start',
  'bulk_response.send_commands',
  'bulk_response.pause',
  'bulk_response.resume',
  'bulk_response.cancel',
  'bulk_response.retry',
  'bulk_response.approve',
  'bulk_response.reject',
  'bulk_response.rollback',
  'action_template.create',
  'action_template.update',
  'action_template.delete',
  'webhook.create',
  'webhook.delete',
  'user.create',
  'user.update',
  'user.delete',
  'token.login',
  'token.api_token_reset',
  'token.refresh',
  'device.credentials_rotate',
  'fleet.device_credentials_rotate',
] as const;
export type AuditActionName = (typeof auditActionNames)[number];

export const auditObjectTypes = ['bulk_response', 'action_template', 'webhook', 'user', 'device', 'fleet'] as const;
export type AuditObjectType = (typeof auditObjectTypes)[number];

const instant = z.iso
  .datetime({ offset: true })
  .meta({ description: 'ISO time with a zone, e.g. 2027-03-01T00:00:00Z' });

// Strict: a misspelt filter (`?acter=`) is a 400 naming it, not a silently unfiltered list.
export const auditListQuerySchema = z.strictObject({
  actor: z.string().trim().min(1).max(254).optional().meta({ description: "The actor's user id or email" }),
  action: z.enum(auditActionNames).optional(),
  object_id: objectId.optional().meta({
    description: 'Entries about this object, or that created it (a bulk response started or retried)',
  }),
  since: instant.optional().meta({ description: 'Entries at or after this time' }),
  until: instant.optional().meta({ description: 'Entries before this time' }),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  per_page: z.coerce.number().int().min(1).max(1000).default(100),
  page_meta: z.enum(['true', 'false']).optional(),
});
// An until at or before since is an empty range (no entries), not an error: a schema cannot say
// that one field must follow another.
export type AuditListQuery = z.infer<typeof auditListQuerySchema>;

export const auditEntrySchema = z
  .object({
    _id: z.string(),
    at: z.string(),
    actor: z.object({ user_id: z.string(), email: z.string(), role: z.enum(['viewer', 'operator', 'admin']) }),
    address: z
      .string()
      .meta({ description: "The caller's address (request.ip: behind a trusted proxy, the client's)" }),
    action: z.enum(auditActionNames),
    method: z.string(),
    path: z.string(),
    object: z.object({
      type: z.enum(auditObjectTypes),
      id: z.string().nullable().meta({ description: 'Null when the request was refused before naming one' }),
    }),
    request: z.unknown().optional().meta({
      description:
        'A bounded copy of the request body: passwords, tokens and secrets replaced by "[redacted]", long strings and arrays cut',
    }),
    result: z.object({
      status_code: z.int(),
      bulk_response_id: z.string().optional().meta({ description: 'The bulk response a start or retry created' }),
    }),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof auditEntrySchema>;
