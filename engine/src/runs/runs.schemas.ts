import { parseTarget } from '@switchboard/flow';
import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../common/pagination.js';

const target = z
  .string()
  .max(300)
  .refine((s) => parseTarget(s.trim()) !== null, {
    message: 'must be a phone number in E.164 form (+14255550100) or an ACS user id (8:acs:...)',
  })
  .transform((s) => s.trim());

export const StartRunSchema = z.strictObject({
  flowId: z.string().min(1).max(100),
  version: z
    .number()
    .int()
    .positive()
    .max(2_147_483_647, 'is too large')
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
  version: z.coerce
    .number({ error: 'must be a version number' })
    .int('must be a whole number')
    .min(0, 'must be 0 (drafts) or a published version')
    .max(2_147_483_647, 'is too large')
    .optional()
    .describe('A published version (0: test runs of drafts)'),
  status: RunStatusSchema.optional(),
  test: z
    .enum(['false', 'true', 'all'], { error: 'must be true, false or all' })
    .default('false')
    .describe('Test calls (true), real calls (false, the default) or both (all)'),
  from: z.iso.datetime({ offset: true }).optional().describe('Started at or after'),
  to: z.iso.datetime({ offset: true }).optional().describe('Started before'),
  number: z.string().min(1).max(300).optional().describe('Caller or called number / user id'),
  endReason: z.string().min(1).max(100).optional().describe('How the run ended, e.g. hangUp'),
  nodeId: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Only runs whose path entered this node (with flowId: recent calls through a node)'),
});

export const StreamQuerySchema = z.strictObject({
  after: z.coerce
    .number({ error: 'must be a step number' })
    .int('must be a whole number')
    .min(-1, 'must be -1 or more')
    .max(2_147_483_647, 'is too large')
    .optional()
    .describe('Only steps after this seq (what the client already has)'),
});

export const RunSchema = z.object({
  id: z.string(),
  flowId: z.string(),
  version: z.number().int().nullable().describe('The published version; null: a draft (test)'),
  draft: z.boolean().describe('A test run of the draft (as it was when the test started)'),
  test: z.boolean().describe('A test call (POST /api/flows/{id}/test-calls)'),
  clock: z.iso
    .datetime({ offset: true })
    .nullable()
    .describe("Test runs with a simulated clock: the run's time when it started"),
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
  variables: z.record(z.string(), z.string()).describe("The run's variables after this step"),
  receivedAt: z.iso.datetime(),
  committedAt: z.iso.datetime(),
  /** committedAt − receivedAt. */
  ms: z.number(),
});

export const TestParticipantSchema = z.object({
  rawId: z.string(),
  role: z.enum(['caller', 'app', 'callee']),
  state: z.enum(['ringing', 'connected', 'onHold', 'disconnected']),
  outcome: z.string().optional().describe('decline, busy or noAnswer: the callee never joined'),
  isMuted: z.boolean(),
  isOnHold: z.boolean(),
});

export const TestCallSchema = z
  .object({
    serverCallId: z.string().nullable(),
    state: z.string().nullable().describe("The emulator's call state"),
    participants: z.array(TestParticipantSchema),
    heard: z
      .array(
        z.object({
          at: z.iso.datetime(),
          nodeId: z.string().optional(),
          text: z.string().optional(),
          voice: z.string().optional(),
          url: z.string().optional(),
        }),
      )
      .describe('What the caller heard, in order (text prompts and audio files)'),
    timeline: z
      .array(z.record(z.string(), z.unknown()))
      .describe("The emulator's timeline of the call: participants, caller input, prompts"),
  })
  .describe('Test runs: the call as the test-call emulator saw it');

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
  testCall: TestCallSchema.nullable(),
});

export const RunPageSchema = pageSchema(RunSchema);

export type RunDto = z.output<typeof RunSchema>;
export type RunDetailDto = z.output<typeof RunDetailSchema>;
export type RunStepDto = z.output<typeof RunStepSchema>;
export type TestCallDto = z.output<typeof TestCallSchema>;
