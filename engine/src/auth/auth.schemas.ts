import { z } from 'zod';
import { RoleSchema } from './roles.js';

export const LoginSchema = z.strictObject({
  username: z.string().min(1, 'required').max(100),
  password: z.string().min(1, 'required').max(200),
});

export const MeSchema = z.object({
  kind: z.enum(['user', 'token']),
  id: z.string(),
  name: z.string(),
  role: RoleSchema,
});
