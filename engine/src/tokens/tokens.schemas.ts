import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../common/pagination.js';
import { RoleSchema } from '../auth/roles.js';

export const CreateTokenSchema = z.strictObject({
  name: z.string().trim().min(1, 'give the token a name').max(100),
  role: RoleSchema.describe('runner for systems that start and watch runs'),
});

export const TokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: RoleSchema,
  prefix: z.string().describe('The first characters of the token'),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export const CreatedTokenSchema = TokenSchema.extend({
  token: z.string().describe('The secret: shown this once, stored only as a hash'),
});
export const TokenPageSchema = pageSchema(TokenSchema);
export const TokenListQuerySchema = PageQuerySchema;
export const TokenIdSchema = z.string().min(1).max(100);
