import { z } from 'zod';
import { skipReasons } from './statuses';

const count = z.int().min(0);

// The dry run's answer: what POST /fleets/{id}/actions would do with the same body, right now.
export const fleetActionPreviewSchema = z
  .object({
    total: count.meta({ description: 'Devices the fleet selects now' }),
    eligible: count.meta({ description: 'Devices that would receive the action' }),
    online: count.meta({ description: 'Eligible devices whose heartbeat is online now' }),
    offline: count.meta({
      description: 'Eligible devices not online now: their command would wait (enqueued) until they reconnect',
    }),
    skipped: z.partialRecord(z.enum(skipReasons), count).meta({
      description: 'Devices that would be skipped, by reason (reasons with no device are left out)',
      example: { inactive: 50, gateway_command_not_supported: 120 },
    }),
    canary_devices: count.optional().meta({
      description:
        'With rollout.canary or rollout.stages: devices the first stage would command before its gate, drawn from online ones',
    }),
    stages: z
      .array(z.object({ name: z.string(), devices: count }))
      .optional()
      .meta({
        description:
          'With rollout.canary or rollout.stages: each gated stage and its devices, then the rest of the fleet (the eligible devices no stage takes)',
        example: [
          { name: 'stage 1', devices: 9 },
          { name: 'stage 2', devices: 86 },
          { name: 'the rest of the fleet', devices: 760 },
        ],
      }),
    approval_required: z
      .boolean()
      .optional()
      .meta({ description: 'With rollout.approval or a stage that ends with then: approve: someone must approve' }),
    window: z
      .strictObject({
        open: z.boolean(),
        opens_at: z.iso.datetime().optional(),
        closes_at: z.iso.datetime().optional(),
      })
      .optional()
      .meta({
        description:
          'With rollout.windows: whether a maintenance window is open now, and when it closes (open) or the next one opens (closed)',
        example: { open: false, opens_at: '2030-01-02T01:00:00.000Z' },
      }),
  })
  .meta({ id: 'FleetActionPreview' });
export type FleetActionPreview = z.infer<typeof fleetActionPreviewSchema>;
