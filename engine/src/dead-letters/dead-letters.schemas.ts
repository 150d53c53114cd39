import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../common/pagination.js';

export const DeadLetterSchema = z.object({
  id: z.string(),
  source: z.enum(['callback', 'eventGrid']),
  eventType: z.string(),
  eventId: z.string().nullable(),
  raw: z.unknown().describe('The event as it arrived'),
  error: z.string().describe('Why it could not be applied'),
  receivedAt: z.iso.datetime(),
});

export const DeadLetterQuerySchema = PageQuerySchema;
export const DeadLetterPageSchema = pageSchema(DeadLetterSchema);
export type DeadLetterDto = z.output<typeof DeadLetterSchema>;
