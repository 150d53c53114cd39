import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../common/pagination.js';

export const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export const AuditPageSchema = pageSchema(AuditEntrySchema);
export const AuditQuerySchema = PageQuerySchema.extend({ target: z.string().min(1).optional() });
