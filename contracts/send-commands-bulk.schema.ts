import { z } from 'zod';
import { fleetActionRequestSchema, rolloutSchema } from './fleet-action.schema';
import { text } from './text.schema';

// IRIS360 "Send Commands in Bulk": every body key other than device_serials is a command.

export const maximumDeviceSerials = 1000;
// The device protocol caps a command's name at 200 characters (the names are joined into it)
// and a message at 64 KiB (the command values travel as its payload).
const maximumJoinedNamesLength = 200;
const maximumCommandsJsonBytes = 32 * 1024;

export const commandNameSeparator = '+';

export function commandsOf(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'device_serials'));
}

export const sendCommandsBulkRequestSchema = z
  .object({
    device_serials: z
      .array(text({ min: 1, max: 200 }))
      .min(1, 'must name at least one device')
      .max(maximumDeviceSerials, `at most ${maximumDeviceSerials} serials per request`)
      .meta({
        description:
          'Device serials (unique_id, case-sensitive). A repeated serial is answered at each position and acted on once.',
      }),
  })
  .catchall(z.unknown().meta({ description: 'A command: the key is its name, the value its parameter (any JSON).' }))
  .superRefine((body, context) => {
    const names = Object.keys(commandsOf(body));
    if (names.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['command'],
        message: 'at least one command key besides device_serials is required',
      });
    } else if (names.join(commandNameSeparator).length > maximumJoinedNamesLength) {
      context.addIssue({
        code: 'custom',
        path: ['command'],
        message: `command names together exceed ${maximumJoinedNamesLength} characters`,
      });
    } else if (JSON.stringify(commandsOf(body)).length > maximumCommandsJsonBytes) {
      context.addIssue({ code: 'custom', path: ['command'], message: 'command values exceed 32 KiB of JSON' });
    }
  })
  .meta({
    id: 'SendCommandsBulkRequest',
    example: { device_serials: ['ONE001'], w_ota: true },
    // device_serials and at least one command.
    minProperties: 2,
  });
export type SendCommandsBulkRequest = z.infer<typeof sendCommandsBulkRequestSchema>;

export const sendCommandsBulkItemSchema = z
  .object({
    headers: z.object({}),
    original: z.union([
      z.object({ data: z.enum(['Command sent!!', 'Command queued']) }),
      z.object({ errors: z.string() }),
    ]),
    exception: z.null(),
  })
  .meta({ id: 'SendCommandsBulkItem' });
export type SendCommandsBulkItem = z.infer<typeof sendCommandsBulkItemSchema>;
export const sendCommandsBulkResponseSchema = z.array(sendCommandsBulkItemSchema);

// How an IRIS360 request is stored as a bulk response and handed to the engine: an
// issue_command whose commands are the body's command keys. The IRIS body has no room for
// rollout controls (every key is a command); the service picks them.
export const deviceCommandsRequestSchema = z.strictObject({
  action: z.literal('issue_command'),
  commands: z.record(z.string(), z.unknown()),
  rollout: rolloutSchema.optional(),
});
export type DeviceCommandsRequest = z.infer<typeof deviceCommandsRequestSchema>;

// Any request a stored bulk response may hold (used to re-read one, e.g. for retry).
export const bulkActionRequestSchema = z.union([fleetActionRequestSchema, deviceCommandsRequestSchema]);

export function isDeviceCommandsRequest(request: object): request is DeviceCommandsRequest {
  return 'commands' in request;
}
