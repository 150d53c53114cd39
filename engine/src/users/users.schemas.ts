import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../common/pagination.js';
import { HUMAN_ROLES } from '../auth/roles.js';
import { MIN_PASSWORD_LENGTH, passwordWeakness } from '../auth/password-policy.js';

export const UsernameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/,
    'must be 1–64 letters, digits, ".", "_", "@" or "-"',
  );

/** Any password a person chooses (created or changed): the policy in auth/password-policy.ts. */
export const NewPasswordSchema = z
  .string()
  // Also here (not only in the policy) so the OpenAPI document shows the minimum length.
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200, 'must be at most 200 characters')
  .superRefine((password, ctx) => {
    if (password.length < MIN_PASSWORD_LENGTH) return; // said once, above
    const weakness = passwordWeakness(password);
    if (weakness) ctx.addIssue({ code: 'custom', message: weakness });
  });

export const CreateUserSchema = z.strictObject({
  username: UsernameSchema,
  role: z.enum(HUMAN_ROLES),
  password: NewPasswordSchema.optional().describe(
    'Omit to have a random password generated and returned once',
  ),
});

export const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: z.enum(HUMAN_ROLES),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
});
export const CreatedUserSchema = UserSchema.extend({
  password: z.string().optional().describe('Only when generated; shown this once'),
});
export const UserPageSchema = pageSchema(UserSchema);
export const UserListQuerySchema = PageQuerySchema;
export const UserIdSchema = z.string().min(1).max(100);
