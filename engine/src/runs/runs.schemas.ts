import { parseTarget } from '@switchboard/flow';
import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../common/pagination.js';

const target = z
  .string()
  .max(300)
  .refine((s) => parseTarget(s.trim()) !== undefined, {
    message: 'must be a phone number in E.164 form (+14255550100) or an ACS user id (8:acs:...)',
  })
  .transform((s) => s.trim());

export const StartRunSchema = z.strictObject({
  flowId: z.string().min(1).max(100),
  version: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('A published version; default: the latest'),
  targets: z.array(target).min(1).max(10).describe('Who to call'),
  callerId: z
    .string()
    .regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 phone number owned by the ACS resource')
    .optional(),
  variables: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().max(2000))
    .optional()
    .describe("Values for the flow's input variables"),
});

export const RunIdSchema = z.uuid({ error: 'must be a run id' });

export const RunStatusSchema = z.enum(['running', 'ended']);

export const RunListQuerySchema = PageQuerySchema.extend({
  flowId: z.string().min(1).max(100).optional(),
  status: RunStatusSchema.optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Started at or after'),
  to: z.iso.datetime({ offset: true }).optional().describe('Started before'),
  number: z.string().min(1).max(300).optional().describe('Caller or called number / user id'),
});

export const RunSchema = z.object({
  id: z.string(),
  flowId: z.string(),
  version: z.number().int(),
  direction: z.enum(['incoming', 'outbound']),
  status: RunStatusSchema,
  endReason: z.string().nullable(),
  currentNodeId: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  callConnectionId: z.string().nullable(),
  correlationId: z.string().nullable(),
  startedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
  startedBy: z.string(),
});

export const RunStepSchema = z.object({
  seq: z.number().int(),
  eventId: z.string(),
  eventType: z.string(),
  event: z.unknown().describe('The event as the interpreter saw it (the trigger for seq 0)'),
  nodeId: z.string().nullable(),
  outcomes: z.array(z.object({ nodeId: z.string(), outcome: z.string() })),
  trace: z.array(z.record(z.string(), z.unknown())),
  actions: z.array(z.record(z.string(), z.unknown())),
  receivedAt: z.iso.datetime(),
  committedAt: z.iso.datetime(),
  /** committedAt − receivedAt. */
  ms: z.number(),
});

export const RunDetailSchema = RunSchema.extend({
  variables: z.record(z.string(), z.string()),
  awaiting: z
    .object({
      nodeId: z.string(),
      operationContext: z.string(),
      deadline: z.iso.datetime().nullable(),
    })
    .nullable(),
  steps: z.array(RunStepSchema),
});

export const RunPageSchema = pageSchema(RunSchema);

export type RunDto = z.output<typeof RunSchema>;
export type RunDetailDto = z.output<typeof RunDetailSchema>;
export type RunStepDto = z.output<typeof RunStepSchema>;
