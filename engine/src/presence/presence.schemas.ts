import { z } from 'zod';
import { pageSchema } from '../common/pagination.js';

export const TabIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 letters, digits, "-" or "_"')
  .describe("The editor tab's own random id");

export const HeartbeatSchema = z.strictObject({ tabId: TabIdSchema });

export const PresenceSchema = z.object({
  userId: z.string(),
  userName: z.string(),
  tabId: z.string(),
  self: z.boolean().describe('The same user as the caller (their other tab or window)'),
  seenAt: z.iso.datetime(),
});
export const PresencePageSchema = pageSchema(PresenceSchema);
export type PresenceDto = z.output<typeof PresenceSchema>;
