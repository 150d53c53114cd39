import { parseTarget } from '@switchboard/flow';
import { z } from 'zod';

const address = (what: string) =>
  z
    .string()
    .max(300)
    .transform((s) => s.trim())
    .refine((s) => parseTarget(s) !== null, {
      message: `must be ${what}: a phone number in E.164 form (+14255550100) or an ACS user id (8:acs:...)`,
    });

const TONES = /^[0-9*#A-Da-d]{1,64}$/;

/** One step of what the simulated caller does (the emulator's caller-script step). */
export const ScriptStepSchema = z
  .strictObject({
    on: z
      .enum(['ringing', 'connected', 'previous', 'recognize', 'play'], {
        error: 'must be ringing, connected, previous, recognize or play',
      })
      .optional()
      .describe(
        'When the step runs: ringing, connected (first step), previous (later steps), recognize or play',
      ),
    afterMs: z
      .number({ error: 'must be a number of milliseconds' })
      .min(0, 'cannot be negative')
      .max(600_000, 'must be at most 600000 (10 minutes)')
      .optional(),
    dtmf: z.string().regex(TONES, 'must be 1 to 64 keys of 0-9, *, #, A-D').optional(),
    gapMs: z.number().min(0, 'cannot be negative').max(10_000, 'must be at most 10000').optional(),
    say: z.string().min(1, 'cannot be empty').max(500, 'must be at most 500 characters').optional(),
    hangup: z.boolean().optional(),
  })
  .refine((s) => s.dtmf !== undefined || s.say !== undefined || s.hangup === true, {
    message: 'must press dtmf, say something or hang up',
  });

export const InviteAnswerSchema = z.enum(['accept', 'decline', 'noAnswer', 'busy'], {
  error: 'must be accept, decline, noAnswer or busy',
});

export const TestCallRequestSchema = z
  .strictObject({
    draft: z.literal(true, { error: 'must be true (or leave it out)' }).optional(),
    version: z
      .number({ error: 'must be a version number' })
      .int('must be a whole number')
      .positive('must be 1 or more')
      .max(2_147_483_647, 'is too large')
      .optional()
      .describe('Test a published version instead of the saved draft'),
    from: address('the caller').optional().describe('Who calls (default +15551230000)'),
    to: address('the dialled number')
      .optional()
      .describe(
        "Incoming flows: the number dialled (default: the flow's first entry point). Outbound flows: who the flow calls",
      ),
    clock: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time with offset' })
      .refine((s) => {
        const t = Date.parse(s);
        return t >= Date.UTC(1971, 0, 1) && t < Date.UTC(2200, 0, 1);
      }, 'must be between 1971 and 2200')
      .optional()
      .describe(
        'The simulated time the call starts at (e.g. 2026-12-08T10:00:00-08:00): business hours and templates see it',
      ),
    variables: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a variable name'),
        z.string().max(2000, 'must be at most 2000 characters'),
      )
      .refine((v) => Object.keys(v).length <= 100, 'can hold at most 100 variables')
      .optional(),
    callerScript: z
      .array(ScriptStepSchema)
      .max(50, 'can hold at most 50 steps')
      .optional()
      .describe('What the caller does, unattended; without it the caller waits for test-input'),
    targets: z
      .record(
        z.string().refine((s) => parseTarget(s.trim()) !== null, {
          message: 'must be a phone number in E.164 form or an ACS user id',
        }),
        InviteAnswerSchema,
      )
      .refine((v) => Object.keys(v).length <= 50, 'can hold at most 50 callees')
      .optional()
      .describe('How each simulated callee (transfer, add participant, outbound) answers'),
  })
  .refine((b) => !(b.draft && b.version !== undefined), {
    message: 'give either draft: true or a version, not both',
    path: ['version'],
  });

export const TestInputSchema = z
  .strictObject({
    dtmf: z.string().regex(TONES, 'must be 1 to 64 keys of 0-9, *, #, A-D').optional(),
    say: z.string().min(1, 'cannot be empty').max(500, 'must be at most 500 characters').optional(),
    hangUp: z.literal(true, { error: 'must be true (or leave it out)' }).optional(),
  })
  .refine((b) => b.dtmf !== undefined || b.say !== undefined || b.hangUp === true, {
    message: 'give dtmf, say or hangUp',
  });

export const TestInputAcceptedSchema = z.object({});

export type TestCallRequest = z.output<typeof TestCallRequestSchema>;
export type TestInput = z.output<typeof TestInputSchema>;
