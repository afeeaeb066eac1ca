import { z } from 'zod';

export const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-hex object id');

export const gatewayCommands = [
  'reboot',
  'heartbeat',
  'software_update',
  'send_config',
  'log_level',
  'log_upload',
  'status',
  'backup',
  'restore_backup',
  'factory_reset',
] as const;
export type GatewayCommand = (typeof gatewayCommands)[number];

export const heartbeatValueNames = [
  'cell_signal',
  'cell_usage',
  'sim_card',
  'connections',
  'wifi_clients',
  'cpu_usage',
  'ram_usage',
  'disk_size',
  'disk_free',
  'disk_usage',
  'custom',
] as const;

const nonEmptyString = z.string().trim().min(1);
const stringMap = z.record(nonEmptyString, z.string());

export const rolloutSchema = z.strictObject({
  max_in_flight: z.int().min(1).max(500).optional(),
  rate_per_minute: z.int().min(1).max(600_000).optional(),
  device_timeout_seconds: z
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .optional(),
  retry: z
    .strictObject({
      max_attempts: z.int().min(1).max(20).optional(),
      initial_interval_seconds: z.number().positive().max(3600).optional(),
      backoff_coefficient: z.number().min(1).max(10).optional(),
      max_interval_seconds: z
        .number()
        .positive()
        .max(24 * 3600)
        .optional(),
    })
    .refine(
      (retry) =>
        retry.max_interval_seconds === undefined ||
        retry.initial_interval_seconds === undefined ||
        retry.max_interval_seconds >= retry.initial_interval_seconds,
      { path: ['max_interval_seconds'], message: 'must be at least initial_interval_seconds' },
    )
    .optional(),
  canary: z
    .strictObject({
      count: z.int().min(1).optional(),
      percent: z.number().gt(0).max(100).optional(),
      min_success_rate: z.number().min(0).max(1).default(1),
      then: z.enum(['continue', 'pause']).default('continue'),
    })
    .refine((canary) => (canary.count === undefined) !== (canary.percent === undefined), {
      message: 'exactly one of count or percent is required',
    })
    .optional(),
  abort: z
    .strictObject({
      failure_rate: z.number().gt(0).max(1),
      min_finished: z.int().min(1).default(10),
    })
    .optional(),
  skip_offline: z.boolean().optional(),
  force: z.boolean().optional(),
  start_at: z.iso.datetime({ offset: true }).optional(),
});
export type Rollout = z.infer<typeof rolloutSchema>;

const issueCommand = z
  .strictObject({
    action: z.literal('issue_command'),
    command_id: objectId.optional(),
    gateway_command: z.enum(gatewayCommands).optional(),
    gateway_command_params: z.record(z.string(), z.unknown()).optional(),
    rollout: rolloutSchema.optional(),
  })
  .superRefine((body, context) => {
    if ((body.command_id === undefined) === (body.gateway_command === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['command_id'],
        message: 'exactly one of command_id or gateway_command is required',
      });
    }
    if (body.gateway_command_params !== undefined && body.gateway_command === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['gateway_command_params'],
        message: 'gateway_command_params requires gateway_command',
      });
    }
  });

const addTags = z.strictObject({
  action: z.literal('add_tags'),
  tags: z.array(nonEmptyString.max(128)).min(1).max(100),
  rollout: rolloutSchema.optional(),
});

const addMetadata = z.strictObject({
  action: z.literal('add_metadata'),
  metadata: stringMap.refine((map) => Object.keys(map).length > 0, 'must have at least one key'),
  rollout: rolloutSchema.optional(),
});

const updateHeartbeat = z
  .strictObject({
    action: z.literal('update_heartbeat'),
    heartbeat_period: z.int().min(1).optional(),
    heartbeat_values: z.array(z.enum(heartbeatValueNames)).optional(),
    rollout: rolloutSchema.optional(),
  })
  .refine((body) => body.heartbeat_period !== undefined || body.heartbeat_values !== undefined, {
    path: ['heartbeat_period'],
    message: 'at least one of heartbeat_period or heartbeat_values is required',
  });

const sendConfiguration = z.strictObject({
  action: z.literal('send_configuration'),
  configuration_id: objectId,
  setting_id: objectId,
  command_id: objectId,
  setting_version: z.int().min(0).default(0),
  rollout: rolloutSchema.optional(),
});

export const fleetActionRequestSchema = z.discriminatedUnion('action', [
  issueCommand,
  addTags,
  addMetadata,
  updateHeartbeat,
  sendConfiguration,
]);
export type FleetActionRequest = z.infer<typeof fleetActionRequestSchema>;
export type FleetActionName = FleetActionRequest['action'];
export const fleetActionNames = [
  'issue_command',
  'add_tags',
  'add_metadata',
  'update_heartbeat',
  'send_configuration',
] as const satisfies readonly FleetActionName[];
