import { z } from 'zod';
import { text } from './text.schema';

// The length first (a 1 MB "email" is refused before any regular expression runs); the pattern
// is zod's own email check, written into the document so clients and fuzzers agree with it.
const email = text({ max: 254, trim: true }).pipe(z.email()).meta({ format: 'email', pattern: z.regexes.email.source });
const password = text({ min: 1, max: 1024 });

export const roleSchema = z.enum(['viewer', 'operator', 'admin']);
export type RoleName = z.infer<typeof roleSchema>;

export const authenticateRequestSchema = z.strictObject({
  email,
  password,
  token_expiry: z
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .optional()
    .meta({ description: 'Session lifetime in seconds (default 4 hours, at most 7 days).' }),
});

export const apiTokenResetRequestSchema = z.strictObject({ email, password });

export const irisLoginRequestSchema = z.strictObject({
  username: email.meta({ description: 'The account email.' }),
  password,
});

export const irisRefreshRequestSchema = z.strictObject({ refreshToken: text({ min: 1, max: 512 }) });

export const userSchema = z
  .object({
    _id: z.string(),
    company_id: z.string(),
    email: z.string(),
    role: roleSchema,
    first_name: z.string(),
    last_name: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'User' });

export const sessionUserSchema = userSchema
  .extend({ session_token: z.string(), session_expires_at: z.string() })
  .meta({ id: 'SessionUser' });

export const apiTokenUserSchema = userSchema.extend({ api_token: z.string() }).meta({ id: 'ApiTokenUser' });

export const irisLoginResponseSchema = z
  .object({ id: z.string(), token: z.string(), refreshToken: z.string() })
  .meta({ id: 'IrisLoginResponse' });

export const irisRefreshResponseSchema = z
  .object({ token: z.string(), refreshToken: z.string() })
  .meta({ id: 'IrisRefreshResponse' });

export const createUserRequestSchema = z.strictObject({
  email,
  password: text({ min: 12, max: 1024 }),
  role: roleSchema,
  first_name: text({ max: 200 }).optional(),
  last_name: text({ max: 200 }).optional(),
});

export const updateUserRequestSchema = createUserRequestSchema.partial().extend({
  current_password: password.optional().meta({
    description:
      'Required to change your own password (then every session of yours ends, this one included); ignored otherwise',
  }),
});
