import { z } from 'zod';
import { fleetActionPreviewSchema } from './fleet-action-preview.schema';
import { rollbackRolloutSchema } from './fleet-action.schema';

// POST .../bulk_responses/{id}/rollback (and its preview): optional rollout controls of its own.
export const rollbackBodySchema = z
  .strictObject({
    rollout: rollbackRolloutSchema.optional(),
  })
  .meta({
    id: 'RollbackRequest',
    description:
      "Optional: the rollback's own rollout controls. By default it takes the parent's max_in_flight, rate_per_minute, ramp, device_timeout_seconds, retry, max_device_seconds, windows, skip_offline and confirm_health, and none of its stages, abort criteria, approval, start or end time",
    example: {},
  });
export type RollbackBody = z.infer<typeof rollbackBodySchema>;

const count = z.int().min(0);

// The dry run of a rollback: the devices it would walk and, of those it would change, how many
// per kind of undo.
export const rollbackPreviewSchema = fleetActionPreviewSchema
  .pick({ eligible: true, online: true, offline: true, skipped: true })
  .extend({
    parent_id: z.string(),
    action: z.string().meta({ description: "The parent's action, which the rollback undoes" }),
    total: count.meta({
      description:
        'Devices the parent acted on (success or unhealthy) whose change can be undone; devices it never reached are untouched',
    }),
    undo: z.record(z.string(), count).meta({
      description:
        'Eligible devices per kind of undo: tags_removed (add_tags), tags_restored (remove_tags), metadata_keys_removed and metadata_values_restored (add_metadata), heartbeat_period_restored and heartbeat_values_restored (update_heartbeat), setting_version_<n> (send_configuration: back to version n), rollback_command (issue_command)',
      example: { tags_removed: 40 },
    }),
    rollback_command: z
      .string()
      .optional()
      .meta({ description: 'issue_command: the command the rollback sends', example: 'restore_backup' }),
  })
  .meta({ id: 'RollbackPreview' });
export type RollbackPreview = z.infer<typeof rollbackPreviewSchema>;
