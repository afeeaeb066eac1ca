import { z } from 'zod';

// The device protocol's JSON bodies (docs/device-protocol.md). Devices speak only this.

// Bodies larger than this are dropped unread on both sides; commands and acks are small.
export const maximumMessageBytes = 64 * 1024;

const executionId = z.string().min(1).max(256);
const timestamp = z.iso.datetime({ offset: true });
const jsonObject = z.record(z.string(), z.unknown());

export const commandKinds = ['command', 'configuration', 'heartbeat_update'] as const;
export type CommandKind = (typeof commandKinds)[number];

export const commandEnvelopeSchema = z.object({
  execution_id: executionId,
  kind: z.enum(commandKinds),
  name: z.string().min(1).max(200),
  payload: jsonObject,
  issued_at: timestamp,
  // A device must not act on a command after this instant: the service has stopped waiting.
  expires_at: timestamp,
});
export type CommandEnvelope = z.infer<typeof commandEnvelopeSchema>;

// `in_progress` is not an answer yet: the device works on it and may say so any number of times
// before its final `success` or `fail`, with how far it got and more time it needs.
export const acknowledgementStatuses = ['success', 'fail', 'in_progress'] as const;
export type AcknowledgementStatus = (typeof acknowledgementStatuses)[number];

export const progressSchema = z.object({
  percent: z.number().min(0).max(100).optional(),
  step: z.string().max(200).optional(),
  // Push this device's deadline to at least this many seconds from now (capped by the rollout's
  // max_device_seconds).
  extend_seconds: z
    .int()
    .min(1)
    .max(30 * 24 * 3600)
    .optional(),
});
export type Progress = z.infer<typeof progressSchema>;

export const acknowledgementSchema = z.object({
  execution_id: executionId,
  status: z.enum(acknowledgementStatuses),
  message: z.string().max(2000).optional(),
  result: jsonObject.optional(),
  progress: progressSchema.optional(),
  acknowledged_at: timestamp.optional(),
});
export type Acknowledgement = z.infer<typeof acknowledgementSchema>;

// `values` holds the device's readings for the heartbeat_values it was told to report.
export const heartbeatSchema = z.object({
  sent_at: timestamp.optional(),
  values: jsonObject.default({}),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

// A device says it is there (right after its subscriptions are acknowledged) and that it is
// leaving (before a graceful disconnect; its will says the same when the connection is lost).
// `at` is the device's own clock, informative only: the service orders by receipt time.
export const presenceSchema = z.object({
  online: z.boolean(),
  at: timestamp.optional(),
});
export type Presence = z.infer<typeof presenceSchema>;

// What a device's will carries: it fires only when the connection ends without a DISCONNECT.
export const offlineWill: Presence = { online: false };

// Retained per device, so a device learns its current settings on every (re)connect.
export const deviceConfigurationSchema = z.object({
  heartbeat_period: z.number().int().min(1),
  heartbeat_values: z.array(z.string()),
  applied_settings: z.record(z.string(), z.number().int().min(0)),
  updated_at: timestamp,
});
export type DeviceConfiguration = z.infer<typeof deviceConfigurationSchema>;
