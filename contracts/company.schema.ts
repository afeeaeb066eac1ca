import { z } from 'zod';
import { name } from './registry-common.schema';

export const updateCompanySchema = z.strictObject({ name: name.optional() });
export type UpdateCompany = z.infer<typeof updateCompanySchema>;

export const companySchema = z
  .object({ _id: z.string(), name: z.string(), created_at: z.string() })
  .meta({ id: 'Company' });
