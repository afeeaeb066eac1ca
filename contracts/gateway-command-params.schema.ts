import { z } from 'zod';
import type { GatewayCommand } from './fleet-action.schema';

// Gateway commands that need values say which; the others take none or any extra options.
export const gatewayCommandParamsSchemas: Partial<Record<GatewayCommand, z.ZodType<Record<string, unknown>>>> = {
  log_level: z.strictObject({ level: z.enum(['error', 'warn', 'info', 'debug', 'trace']) }),
  software_update: z.strictObject({ version: z.string().min(1), url: z.url().optional() }),
  log_upload: z.strictObject({ since: z.iso.datetime({ offset: true }).optional(), lines: z.int().min(1).optional() }),
};
