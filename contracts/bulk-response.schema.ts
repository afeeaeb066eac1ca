import { z } from 'zod';
import { objectId } from './fleet-action.schema';
import { bulkStatuses, deviceStatuses, skipReasons } from './statuses';
import { maximumPage } from './registry-common.schema';

// The bulk-response API: the queries its routes validate with, and the shapes it answers (the
// latter describe the answers for the OpenAPI document; the routes build them from the registry).

const paging = {
  page: z.coerce.number().int().min(1).max(maximumPage).default(1),
  per_page: z.coerce.number().int().min(1).max(1000).default(100),
};

export const bulkResponseIdParams = z.object({ bulkResponseId: objectId });

export const bulkResponsesListQuerySchema = z.object({
  fleet_id: objectId.optional(),
  action: z.string().min(1).optional(),
  status: z.enum(bulkStatuses).optional(),
  page_meta: z.enum(['true', 'false']).optional(),
  ...paging,
});

// Retry: a new bulk response over the devices that ended in one of these statuses.
export const retryBodySchema = z
  .strictObject({
    statuses: z
      .array(z.enum(['fail', 'timed_out', 'canceled', 'skipped']))
      .min(1)
      .default(['fail', 'timed_out'])
      .meta({ description: 'Device statuses to retry; add canceled to resume an aborted canary after a fix' }),
  })
  .meta({ id: 'RetryRequest', example: { statuses: ['fail', 'timed_out', 'canceled'] } });

// Approve or reject: an optional comment, kept with the decision.
export const approvalBodySchema = z
  .strictObject({ comment: z.string().trim().min(1).max(2000).optional() })
  .meta({ id: 'ApprovalRequest', example: { comment: 'stage 1 looks healthy' } });

export const bulkResponseDevicesQuerySchema = z.object({ status: z.enum(deviceStatuses).optional(), ...paging });

const count = z.int().min(0);
const bulkCountsSchema = z.object({
  total: count,
  pending: count,
  sent: count,
  enqueued: count,
  in_progress: count,
  success: count,
  fail: count,
  unhealthy: count,
  timed_out: count,
  skipped: count,
  canceled: count,
});

export const bulkResponseLinksSchema = z
  .object({
    self: z.string(),
    responses: z.string().meta({ description: 'Per-device entries' }),
    events: z.string().meta({ description: 'Server-Sent Events stream of status and count changes' }),
    cancel: z.string(),
    pause: z.string(),
    resume: z.string(),
    retry: z.string(),
    rollback: z.string().meta({ description: 'POST: undo what it did (and .../rollback/preview, the dry run)' }),
    temporal_ui: z.url().meta({
      description: 'The execution in the Temporal UI (the workflow id is the bulk response id)',
      example: 'http://127.0.0.1:8233/namespaces/default/workflows/65f1c0ffee0000000000abcd',
    }),
  })
  .meta({ id: 'BulkResponseLinks' });

export const bulkResponseSchema = z
  .object({
    _id: z.string().meta({ description: 'The bulk response id, which is also its Temporal workflow id' }),
    company_id: z.string(),
    fleet_id: z.string().nullable().meta({ description: 'null for IRIS360 sendCommandsBulk (named devices)' }),
    parent_id: z.string().nullable().meta({ description: 'The bulk response a retry or a rollback was started from' }),
    rollback_of: z.string().nullable().meta({
      description: 'A rollback: the bulk response whose changes it undoes (POST .../rollback, or rollback on abort)',
    }),
    rollback_id: z.string().nullable().meta({ description: 'The rollback of this bulk response, once there is one' }),
    action: z.string(),
    request: z.record(z.string(), z.unknown()),
    status: z.enum(bulkStatuses),
    status_reason: z
      .object({ code: z.string(), message: z.string() })
      .nullable()
      .meta({ description: 'Why it ended aborted or failed: a machine-readable code and a sentence' }),
    waiting_for: z.string().nullable().optional().meta({
      description:
        'While it runs: what it is waiting for (start time, maintenance window, canary gate, resume, devices, new fleet devices of a continuous rollout)',
    }),
    last_deadline_at: z.string().nullable().optional().meta({
      description:
        'The single GET and the event stream, while devices wait for an answer: by when each of them has a final state at the latest (an offline device at its deadline, a device sent to a short answer grace after it); null when none waits. Progress a device reports may move its deadline.',
    }),
    counts: bulkCountsSchema,
    stage: z
      .object({
        index: z.int().min(0),
        of: z.int().min(1),
        name: z.string(),
        devices: z.int().min(0).nullable(),
        phase: z.enum(['approval', 'dispatching', 'settling', 'baking']),
        min_success_rate: z.number().nullable(),
        bake_until: z.string().nullable(),
      })
      .nullable()
      .meta({ description: 'With stages (or a canary): the stage the rollout is in, and its gate' }),
    approvals: z
      .array(
        z.object({
          stage: z.int().min(0),
          decision: z.enum(['approved', 'rejected']),
          by: z.object({ user_id: z.string(), email: z.string(), role: z.string() }),
          at: z.string(),
          comment: z.string().nullable(),
        }),
      )
      .meta({ description: 'Who approved or rejected a stage, and when' }),
    created_by: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    updated_at: z.string(),
    completed_at: z.string().nullable(),
  })
  .meta({ id: 'BulkResponse' });

export const bulkResponseDeviceSchema = z
  .object({
    device_id: z.string(),
    unique_id: z.string(),
    status: z.enum(deviceStatuses),
    reason: z.enum(skipReasons).optional(),
    message: z.string().optional(),
    result: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: "What the device answered with its acknowledgement (the ack's `result`)" }),
    progress: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'The latest progress the device reported while in_progress' }),
    attempts: z.int().meta({ description: 'How many times the command was sent to the device' }),
    acknowledged_at: z.string().nullable().meta({
      description:
        'When the device answered (its own time if it said; for a registry action, when the registry wrote the change); null while it has not (waiting, skipped, canceled, timed out)',
    }),
    updated_at: z.string(),
  })
  .meta({ id: 'BulkResponseDevice' });

export const bulkResponseDevicesPageSchema = z.object({
  total: z.int(),
  page: z.int(),
  per_page: z.int(),
  resources: z.array(bulkResponseDeviceSchema),
});

export const bulkResponseStartedSchema = z
  .object({
    bulk_response_id: z.string(),
    status: z.literal('pending'),
    fleet_id: z.string().optional(),
    parent_id: z.string().optional(),
    action: z.string().optional(),
    links: bulkResponseLinksSchema,
  })
  .meta({ id: 'BulkResponseStarted' });
