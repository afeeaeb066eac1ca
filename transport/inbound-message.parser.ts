import type { z } from 'zod';
import {
  acknowledgementSchema,
  heartbeatSchema,
  maximumMessageBytes,
  presenceSchema,
  type Acknowledgement,
  type Heartbeat,
  type Presence,
} from '../contracts/device-protocol.schema';
import { channelsFromDevice, parseDeviceTopic, type DeviceAddress } from '../contracts/device-topics';
import { commandExecutionId } from '../contracts/ids';

// Turns one raw message from a device into an acknowledgement, heartbeat or presence, or names why
// it was dropped. Nothing here throws: whatever a device sends, the service keeps running.

export const dropReasons = [
  'unknown_topic',
  'oversized',
  'invalid_json',
  'invalid_shape',
  'foreign_execution_id',
] as const;
export type DropReason = (typeof dropReasons)[number];

export type InboundMessage =
  | { kind: 'acknowledgement'; device: DeviceAddress; acknowledgement: Acknowledgement }
  | { kind: 'heartbeat'; device: DeviceAddress; heartbeat: Heartbeat }
  | { kind: 'presence'; device: DeviceAddress; presence: Presence }
  | { kind: 'dropped'; reason: DropReason };

function parseBody<Schema extends z.ZodType>(schema: Schema, payload: Buffer): z.infer<Schema> | DropReason {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return 'invalid_json';
  }
  const parsed = schema.safeParse(body);
  return parsed.success ? parsed.data : 'invalid_shape';
}

// The topic names the device (the broker lets a device publish only on its own topics); the
// execution id in the body does not, so an ack for another device's execution is refused.
function belongsToDevice(executionId: string, deviceId: string): boolean {
  return executionId.endsWith(commandExecutionId('', deviceId));
}

export function parseInboundMessage(topic: string, payload: Buffer): InboundMessage {
  const parsedTopic = parseDeviceTopic(topic);
  if (!parsedTopic || !channelsFromDevice.includes(parsedTopic.channel)) {
    return { kind: 'dropped', reason: 'unknown_topic' };
  }
  if (payload.length > maximumMessageBytes) return { kind: 'dropped', reason: 'oversized' };
  const device = { companyId: parsedTopic.companyId, deviceId: parsedTopic.deviceId };
  if (parsedTopic.channel === 'heartbeats') {
    const heartbeat = parseBody(heartbeatSchema, payload);
    return typeof heartbeat === 'string'
      ? { kind: 'dropped', reason: heartbeat }
      : { kind: 'heartbeat', device, heartbeat };
  }
  if (parsedTopic.channel === 'presence') {
    const presence = parseBody(presenceSchema, payload);
    return typeof presence === 'string'
      ? { kind: 'dropped', reason: presence }
      : { kind: 'presence', device, presence };
  }
  const acknowledgement = parseBody(acknowledgementSchema, payload);
  if (typeof acknowledgement === 'string') return { kind: 'dropped', reason: acknowledgement };
  if (!belongsToDevice(acknowledgement.execution_id, device.deviceId)) {
    return { kind: 'dropped', reason: 'foreign_execution_id' };
  }
  return { kind: 'acknowledgement', device, acknowledgement };
}
