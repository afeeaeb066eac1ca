import { z } from 'zod';

// The staged and safe rollout controls (SPEC §3, "Staged, safe rollouts"): stages and a ramp,
// abort criteria per failure type, health-confirmed success, a cap on extended deadlines, an
// approval before the first device, rollback, an end time. Spread into the rollout schema.

const shareOfDevices = {
  count: z.int().min(1).optional().meta({ description: 'This many devices' }),
  percent: z
    .number()
    .gt(0)
    .max(100)
    .optional()
    .meta({ description: 'This share of the eligible devices (at least one)' }),
};

const exactlyOneSize = [
  { properties: { count: { type: 'integer' } }, required: ['count'] },
  { properties: { percent: { type: 'number' } }, required: ['percent'] },
];

export const stageSchema = z
  .strictObject({
    ...shareOfDevices,
    min_success_rate: z.number().min(0).max(1).default(1).meta({
      description: "The stage's gate: success / (success + fail + unhealthy) of its answered devices, at least this",
    }),
    bake_seconds: z
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(0)
      .meta({ description: "After the stage's devices answered, wait this long before its gate judges them" }),
    then: z.enum(['continue', 'pause', 'approve']).default('continue').meta({
      description:
        'After the gate passed: go on, wait for resume, or wait for an approval by an operator or admin other than the creator',
    }),
  })
  .refine((stage) => (stage.count === undefined) !== (stage.percent === undefined), {
    message: 'exactly one of count or percent is required',
  })
  .meta({
    id: 'RolloutStage',
    description: 'One gated stage: its devices are drawn from the eligible devices online at dispatch',
    example: { percent: 10, min_success_rate: 0.95, bake_seconds: 300, then: 'continue' },
    oneOf: exactlyOneSize,
  });

export const rampSchema = z
  .strictObject({
    start_per_minute: z.int().min(1).max(600_000).meta({ description: 'The pace to start at' }),
    factor: z.number().gt(1).max(100).meta({ description: 'The pace is multiplied by this...' }),
    every_succeeded: z.int().min(1).meta({ description: '...each time this many more devices succeeded' }),
    max_per_minute: z
      .int()
      .min(1)
      .max(600_000)
      .meta({ description: 'The pace never goes above this (a start above it starts at it)' }),
  })
  .meta({
    id: 'RolloutRamp',
    description: 'An exponential ramp of the pace (instead of rate_per_minute)',
    example: { start_per_minute: 10, factor: 2, every_succeeded: 50, max_per_minute: 1000 },
  });

export const abortCriterionSchema = z
  .strictObject({
    on: z.enum(['fail', 'timed_out', 'unhealthy', 'any']).meta({
      description: 'Which final statuses count: any is fail + timed_out + unhealthy',
    }),
    rate: z.number().gt(0).max(1).optional().meta({ description: 'A share of the finished devices' }),
    count: z.int().min(1).optional().meta({ description: 'A number of devices' }),
    min_finished: z
      .int()
      .min(1)
      .default(10)
      .meta({ description: 'Judged once this many devices finished (answered or timed out)' }),
  })
  .refine((criterion) => (criterion.rate === undefined) !== (criterion.count === undefined), {
    message: 'exactly one of rate or count is required',
  })
  .meta({
    id: 'AbortCriterion',
    example: { on: 'timed_out', rate: 0.1, min_finished: 20 },
    oneOf: [
      { properties: { rate: { type: 'number' } }, required: ['rate'] },
      { properties: { count: { type: 'integer' } }, required: ['count'] },
    ],
  });

export const stagedRolloutFields = {
  stages: z
    .array(stageSchema)
    .min(1)
    .max(20)
    .optional()
    .meta({
      description:
        'Gated stages, in order; after the last one, the rest of the fleet. `canary` is the one-stage shorthand (not both)',
      example: [
        { percent: 1, min_success_rate: 1, then: 'continue' },
        { percent: 10, min_success_rate: 0.95, bake_seconds: 300, then: 'approve' },
      ],
    }),
  ramp: rampSchema.optional(),
  confirm_health: z
    .strictObject({
      within_seconds: z
        .int()
        .min(1)
        .max(24 * 3600)
        .meta({ description: 'A device that answered success must be seen alive again within this' }),
    })
    .optional()
    .meta({
      description:
        'Success only once the device is seen alive after its answer (a heartbeat or a reconnect), else unhealthy',
      example: { within_seconds: 120 },
    }),
  max_device_seconds: z
    .int()
    .min(1)
    .max(30 * 24 * 3600)
    .optional()
    .meta({ description: 'The latest a device may push its deadline to by reporting progress (extend_seconds)' }),
  approval: z
    .strictObject({ required: z.boolean() })
    .optional()
    .meta({ description: 'Wait for an approval before the first device', example: { required: true } }),
  rollback: z
    .strictObject({ on: z.enum(['abort', 'manual']) })
    .optional()
    .meta({
      description:
        'Roll back what the rollout did on the devices it reached: by itself when it ends aborted, or when asked (POST .../rollback)',
      example: { on: 'abort' },
    }),
  end_at: z.iso.datetime({ offset: true }).optional().meta({
    description: 'From this time nothing new is sent; see on_end',
    example: '2030-01-01T18:00:00Z',
  }),
  on_end: z.enum(['stop', 'cancel']).optional().meta({
    description:
      'At end_at (default stop): stop lets devices that have the command answer; cancel records them canceled at once',
  }),
};
