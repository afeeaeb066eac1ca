import { z } from 'zod';
import type { ActionName } from './action-catalogue';
import { isTimeZone, weekdays } from './maintenance-windows';
import { abortCriterionSchema, stagedRolloutFields } from './staged-rollout.schema';
import { gatewayCommandParamsBranches } from './gateway-command-params.schema';
import { notBlankPattern, text } from './text.schema';

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

// Trimmed, then non-empty: the document says "holds a character trim() keeps" (text.schema.ts).
const nonEmptyString = z.string().trim().min(1).meta({ minLength: 1, pattern: notBlankPattern });
const stringMap = z
  .record(nonEmptyString, z.string())
  .meta({ propertyNames: { type: 'string', minLength: 1, pattern: notBlankPattern } });

const weekday = z.enum(weekdays);
const wallClockTime = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a 24-hour time HH:MM');

export const maintenanceWindowSchema = z
  .strictObject({
    days: z
      .array(weekday)
      .min(1)
      .max(7)
      .meta({ description: 'Days on which the window opens (local to its time zone)', example: ['sat', 'sun'] }),
    start: wallClockTime.meta({ description: 'Local time the window opens, HH:MM', example: '02:00' }),
    end: wallClockTime.meta({
      description: 'Local time the window closes, HH:MM; at or before start means the next day (equal: 24 hours)',
      example: '04:00',
    }),
    timezone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone name, e.g. Europe/Berlin')
      .meta({
        description: 'IANA time zone of start and end',
        // The runtime's canonical names (it also takes aliases and other spellings).
        enum: [...Intl.supportedValuesOf('timeZone'), 'UTC'],
        example: 'Europe/Berlin',
      }),
  })
  // No refine that end differs from start: the document cannot say it, and equal times already
  // make a 24-hour window (an end at or before the start is the next day's).
  .meta({
    id: 'MaintenanceWindow',
    description: 'A weekly window in a time zone',
    example: { days: ['sat', 'sun'], start: '02:00', end: '04:00', timezone: 'Europe/Berlin' },
  });

// Descriptions and examples (`.meta`) feed the OpenAPI document; they change no validation.
const rolloutFields = z.strictObject({
  max_in_flight: z
    .int()
    .min(1)
    .max(500)
    .optional()
    .meta({ description: 'Online devices waiting for an answer at once (default 100)', example: 50 }),
  rate_per_minute: z.int().min(1).max(600_000).optional().meta({
    description: 'Pace of new commands per minute (default: as fast as max_in_flight allows)',
    example: 120,
  }),
  device_timeout_seconds: z
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .optional()
    .meta({
      description: "A device's deadline from dispatch, over all attempts (default 600); then it ends timed_out",
      example: 120,
    }),
  retry: z
    .strictObject({
      max_attempts: z.int().min(1).max(20).optional(),
      initial_interval_seconds: z.number().positive().max(3600).optional(),
      backoff_coefficient: z.number().min(1).max(10).optional(),
      // No refine against initial_interval_seconds: the document cannot say it, and the
      // activity options raise a lower cap to the initial interval (rollout-policy.ts).
      max_interval_seconds: z
        .number()
        .positive()
        .max(24 * 3600)
        .optional()
        .meta({ description: 'Cap on the interval; below initial_interval_seconds it is raised to it' }),
    })
    .optional()
    .meta({
      description:
        'Re-sends to a device that has not answered, within its deadline (default 3 attempts, 10 s initial interval, coefficient 2, at most 300 s); a device answering fail is not retried',
      example: { max_attempts: 3, initial_interval_seconds: 10, backoff_coefficient: 2, max_interval_seconds: 300 },
    }),
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
    .optional()
    .meta({
      description:
        'The first devices (count, or percent of the eligible ones) go first; below min_success_rate (default 1) of answered devices the rollout is aborted, or waits for resume with then: pause',
      example: { percent: 5, min_success_rate: 0.9, then: 'continue' },
      oneOf: [
        { properties: { count: { type: 'integer' } }, required: ['count'] },
        { properties: { percent: { type: 'number' } }, required: ['percent'] },
      ],
    }),
  abort: z
    .union([
      z.strictObject({
        failure_rate: z.number().gt(0).max(1),
        min_finished: z.int().min(1).default(10),
      }),
      z.array(abortCriterionSchema).min(1).max(8),
    ])
    .optional()
    .meta({
      description:
        'Once min_finished devices finished (default 10) and the share of fail + timed_out + unhealthy reaches failure_rate, nothing more is sent and the rollout ends aborted; or a list of criteria per failure type, the first one met named in status_reason',
      example: [
        { on: 'any', rate: 0.2, min_finished: 20 },
        { on: 'unhealthy', count: 3 },
      ],
    }),
  skip_offline: z.boolean().optional().meta({
    description: 'Skip (reason offline) devices whose heartbeat is not online, instead of enqueuing their command',
  }),
  force: z
    .boolean()
    .optional()
    .meta({ description: 'send_configuration: re-send a setting version a device already applies' }),
  start_at: z.iso.datetime({ offset: true }).optional().meta({
    description: 'ISO time to start at; the bulk response stays pending until then',
    example: '2030-01-01T08:00:00Z',
  }),
  windows: z
    .array(maintenanceWindowSchema)
    .min(1)
    .max(20)
    .optional()
    .meta({
      description:
        "Maintenance windows: devices are dispatched only inside one, in the window's time zone (DST-aware). Outside, the rollout waits on a durable timer and `waiting_for` says until when. A device dispatched inside a window has its deadline cut at the window's end, so no device acts outside a window",
      example: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '02:00', end: '04:00', timezone: 'Europe/Berlin' }],
    }),
  continuous: z
    .strictObject({
      until: z.iso.datetime({ offset: true }).meta({
        description: 'When the rollout stops looking for new devices and ends with its final status',
        example: '2030-01-31T00:00:00Z',
      }),
      check_interval_seconds: z.int().min(10).max(86_400).optional().meta({
        description: 'How often the fleet is checked for devices that came to match it (default 60)',
        example: 60,
      }),
    })
    .optional()
    .meta({
      description:
        'After the initial pass, devices that come to match the fleet (created, re-tagged, re-typed, reactivated) receive the action once each until `until`; the bulk response stays processing until then and its counts include them',
      example: { until: '2030-01-31T00:00:00Z' },
    }),
  ...stagedRolloutFields,
});

// The rules across fields, in zod and (allOf, dependentRequired) in the document, so a generated
// client cannot send what the server refuses.
function withRolloutRules<Fields extends z.ZodType<Partial<z.infer<typeof rolloutFields>>>>(
  fields: Fields,
  meta: { id: string; description: string },
) {
  return fields
    .superRefine((rollout, context) => {
      const exclusive = [
        ['canary', 'stages'],
        ['rate_per_minute', 'ramp'],
      ] as const;
      for (const [one, other] of exclusive) {
        if (rollout[one] !== undefined && rollout[other] !== undefined)
          context.addIssue({ code: 'custom', path: [other], message: `give ${one} or ${other}, not both` });
      }
      if (rollout.on_end !== undefined && rollout.end_at === undefined)
        context.addIssue({ code: 'custom', path: ['on_end'], message: 'on_end needs end_at' });
    })
    .meta({
      ...meta,
      allOf: [{ not: { required: ['canary', 'stages'] } }, { not: { required: ['rate_per_minute', 'ramp'] } }],
      dependentRequired: { on_end: ['end_at'] },
    });
}

export const rolloutSchema = withRolloutRules(rolloutFields, {
  id: 'Rollout',
  description: 'Optional rollout controls (an extension; clients that do not send it get the defaults)',
});
export type Rollout = z.infer<typeof rolloutSchema>;

// A rollback's own controls: every rollout control but rollback (a rollback is not rolled back).
export const rollbackRolloutSchema = withRolloutRules(rolloutFields.omit({ rollback: true }), {
  id: 'RollbackRollout',
  description: "The rollback's own rollout controls: those of a rollout, except rollback",
});

// Fields every action takes: its rollout controls, and its priority among the company's rollouts.
const everyActionFields = {
  rollout: rolloutSchema.optional(),
  priority: z.int().min(1).max(5).optional().meta({
    description:
      "1 (highest) to 5; default 3. A rollout's work is taken before lower priorities' on the shared task queue, and companies share it fairly",
    example: 1,
  }),
};

const issueCommand = z
  .strictObject({
    action: z.literal('issue_command'),
    command_id: objectId
      .optional()
      .meta({ description: 'A user-defined command (GET /commands); exactly one of command_id or gateway_command' }),
    gateway_command: z.enum(gatewayCommands).optional().meta({
      description: 'A built-in gateway command; exactly one of command_id or gateway_command',
      example: 'reboot',
    }),
    gateway_command_params: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({
        description:
          'Values for gateway commands that need them: log_level {level}, software_update {version, url?}, log_upload {since?, lines?}',
        example: { level: 'debug' },
      }),
    rollback_command: z
      .strictObject({
        gateway_command: z.enum(gatewayCommands).optional(),
        gateway_command_params: z.record(z.string(), z.unknown()).optional(),
        command_id: objectId.optional(),
      })
      .refine((command) => (command.command_id === undefined) !== (command.gateway_command === undefined), {
        message: 'exactly one of command_id or gateway_command is required',
      })
      .optional()
      .meta({
        description:
          'What a rollback of this rollout sends to the devices it reached (a command cannot be undone otherwise)',
        example: { gateway_command: 'restore_backup' },
        oneOf: [
          { properties: { command_id: { type: 'string' } }, required: ['command_id'] },
          { properties: { gateway_command: { type: 'string' } }, required: ['gateway_command'] },
        ],
      }),
    ...everyActionFields,
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
  })
  .meta({
    id: 'IssueCommandAction',
    description: 'Send a command to every eligible device and wait for its acknowledgement',
    example: { action: 'issue_command', gateway_command: 'reboot' },
    // The superRefine's rules and the parameters each gateway command takes, for the document.
    oneOf: [
      { properties: { command_id: { type: 'string' } }, required: ['command_id'] },
      { properties: { gateway_command: { type: 'string' } }, required: ['gateway_command'] },
    ],
    dependentRequired: { gateway_command_params: ['gateway_command'] },
    anyOf: gatewayCommandParamsBranches(),
  });

const tagList = z
  .array(text({ min: 1, max: 128, trim: true }))
  .min(1)
  .max(100);

const addTags = z
  .strictObject({
    action: z.literal('add_tags'),
    tags: tagList.meta({ description: "Added to each device's tags (a set union)", example: ['spring-2027'] }),
    ...everyActionFields,
  })
  .meta({
    id: 'AddTagsAction',
    description: 'Add tags to every active device (registry only)',
    example: { action: 'add_tags', tags: ['spring-2027'] },
  });

const removeTags = z
  .strictObject({
    action: z.literal('remove_tags'),
    tags: tagList.meta({
      description: "Removed from each device's tags (a set difference); a tag a device does not have is left alone",
      example: ['spring-2027'],
    }),
    ...everyActionFields,
  })
  .meta({
    id: 'RemoveTagsAction',
    description: 'Remove tags from every active device (registry only)',
    example: { action: 'remove_tags', tags: ['spring-2027'] },
  });

const addMetadata = z
  .strictObject({
    action: z.literal('add_metadata'),
    metadata: stringMap
      .refine((map) => Object.keys(map).length > 0, 'must have at least one key')
      .meta({
        description: "Merged into each device's metadata; request keys win",
        example: { owner: 'ops' },
        minProperties: 1,
      }),
    ...everyActionFields,
  })
  .meta({
    id: 'AddMetadataAction',
    description: 'Merge metadata into every active device (registry only)',
    example: { action: 'add_metadata', metadata: { owner: 'ops' } },
  });

const updateHeartbeat = z
  .strictObject({
    action: z.literal('update_heartbeat'),
    heartbeat_period: z.int().min(1).optional().meta({ description: 'Seconds between heartbeats', example: 120 }),
    heartbeat_values: z
      .array(z.enum(heartbeatValueNames))
      .optional()
      .meta({ description: 'What each heartbeat reports', example: ['cpu_usage', 'ram_usage'] }),
    ...everyActionFields,
  })
  .refine((body) => body.heartbeat_period !== undefined || body.heartbeat_values !== undefined, {
    path: ['heartbeat_period'],
    message: 'at least one of heartbeat_period or heartbeat_values is required',
  })
  .meta({
    id: 'UpdateHeartbeatAction',
    description:
      "Change every active device's heartbeat (at least one field) and push it to the device's retained configuration",
    example: { action: 'update_heartbeat', heartbeat_period: 120 },
    anyOf: [
      { properties: { heartbeat_period: { type: 'integer' } }, required: ['heartbeat_period'] },
      { properties: { heartbeat_values: { type: 'array' } }, required: ['heartbeat_values'] },
    ],
  });

const sendConfiguration = z
  .strictObject({
    action: z.literal('send_configuration'),
    configuration_id: objectId.meta({ description: 'The configuration (GET /configurations)' }),
    setting_id: objectId.meta({ description: 'A setting of that configuration (GET /settings)' }),
    command_id: objectId.meta({ description: 'The command that carries the setting to the device (GET /commands)' }),
    setting_version: z
      .int()
      .min(0)
      .default(0)
      .meta({ description: 'The setting version; 0 = the latest, fixed when the action starts' }),
    ...everyActionFields,
  })
  .meta({
    id: 'SendConfigurationAction',
    description:
      'Send a setting version to every eligible device; devices that already apply it are skipped unless rollout.force',
  });

export const fleetActionRequestSchema = z
  .discriminatedUnion('action', [issueCommand, addTags, removeTags, addMetadata, updateHeartbeat, sendConfiguration])
  .meta({ id: 'FleetActionRequest', description: 'One action for every device of the fleet, chosen by `action`' });
export type FleetActionRequest = z.infer<typeof fleetActionRequestSchema>;
export type FleetActionName = FleetActionRequest['action'];
export type FleetActionRequestOf<Name extends FleetActionName> = Extract<FleetActionRequest, { action: Name }>;

// The request schema and the catalogue name the same actions: an action in one and not in the
// other fails to compile here, and the error names it. Every other per-action place is keyed by
// the catalogue's names, so the compiler then lists what the new action still lacks.
export const schemaActionsAreCatalogued = {} satisfies Record<Exclude<FleetActionName, ActionName>, never>;
export const catalogueActionsHaveSchemas = {} satisfies Record<Exclude<ActionName, FleetActionName>, never>;
