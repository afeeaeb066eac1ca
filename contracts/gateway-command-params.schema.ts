import { z } from 'zod';
import type { GatewayCommand } from './fleet-action.schema';

// Gateway commands that need values say which; the others take none or any extra options.
export const gatewayCommandParamsSchemas: Partial<Record<GatewayCommand, z.ZodType<Record<string, unknown>>>> = {
  log_level: z.strictObject({ level: z.enum(['error', 'warn', 'info', 'debug', 'trace']) }),
  software_update: z.strictObject({ version: z.string().min(1), url: z.url().optional() }),
  log_upload: z.strictObject({ since: z.iso.datetime({ offset: true }).optional(), lines: z.int().min(1).optional() }),
};

// For the OpenAPI document: which parameters each of these commands takes, as branches of an
// anyOf (any other command, or none; or this command with its parameters, required when an empty
// object would not do). Branches rather than if/then: linters and generators read them alike.
export function gatewayCommandParamsBranches(): object[] {
  const commands = Object.keys(gatewayCommandParamsSchemas);
  return [
    { properties: { gateway_command: { not: { enum: commands } } } },
    ...Object.entries(gatewayCommandParamsSchemas).map(([name, schema]) => {
      const params: Record<string, unknown> = z.toJSONSchema(schema, { io: 'input' });
      delete params.$schema;
      return {
        properties: { gateway_command: { const: name }, gateway_command_params: params },
        ...(schema.safeParse({}).success ? {} : { required: ['gateway_command_params'] }),
      };
    }),
  ];
}
