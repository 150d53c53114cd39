import * as z from 'zod';
import { END_REASONS } from '../actions.js';
import { CALL_EVENT_TYPES } from '../events.js';
import { ENVIRONMENT_NAME } from '../environment.js';

/** How a callee (a transfer target, an added participant, an outbound call's target) answers. */
export const CALLEE_ANSWERS = ['answers', 'declines', 'busy', 'noAnswer'] as const;
export type CalleeAnswer = (typeof CALLEE_ANSWERS)[number];

const nodeId = z.string().min(1, { error: 'Name the node this input is for' }).max(200);

/** An event as a scenario spells it out (a recorded call's, when no plainer input says the same). */
export const ScenarioEventSchema = z
  .strictObject({
    type: z.enum(CALL_EVENT_TYPES),
    resultInformation: z
      .strictObject({
        code: z.number().int().optional(),
        subCode: z.number().int().optional(),
        message: z.string().max(500).optional(),
      })
      .optional(),
    tones: z.array(z.string().max(10)).max(64).optional(),
    choiceLabel: z.string().max(200).optional(),
    invitationId: z.string().max(200).optional(),
    http: z
      .strictObject({ status: z.number().int().min(100).max(599), body: z.unknown().optional() })
      .optional(),
    participants: z
      .array(
        z.strictObject({
          rawId: z.string().max(500),
          isMuted: z.boolean().optional(),
          isOnHold: z.boolean().optional(),
        }),
      )
      .max(50)
      .optional(),
  })
  .meta({ title: 'Event', description: 'A callback as ACS would send it (ids are filled in)' });

const INPUT_KINDS = [
  'digits',
  'noInput',
  'hangUp',
  'callee',
  'fails',
  'succeeds',
  'http',
  'events',
] as const;

/**
 * What the caller or the network does the next time a node asks: inputs for the same node are
 * used in order, one per prompt (a menu that asks again after a wrong key takes the next one).
 */
export const ScenarioInputSchema = z
  .strictObject({
    node: nodeId.meta({ title: 'Node', description: 'The id of the node that asks' }),
    digits: z
      .string()
      .regex(/^[0-9*#A-D]{1,64}$/, { error: 'Keys are 0-9, *, # (or A-D), e.g. "2" or "1234#"' })
      .optional()
      .meta({ title: 'Keys pressed', description: 'The keys the caller presses at this prompt' }),
    noInput: z
      .literal(true)
      .optional()
      .meta({ title: 'Says nothing', description: 'The caller presses nothing' }),
    hangUp: z
      .literal(true)
      .optional()
      .meta({ title: 'Hangs up', description: 'The caller hangs up while this node waits' }),
    callee: z.enum(CALLEE_ANSWERS).optional().meta({
      title: 'The callee',
      description: 'How the person called (transfer, add, outbound call) answers',
    }),
    fails: z
      .union([
        z.literal(true),
        z.strictObject({
          code: z.number().int().optional(),
          subCode: z.number().int().optional(),
          message: z.string().max(500).optional(),
        }),
      ])
      .optional()
      .meta({ title: 'Fails', description: 'The node’s action fails (optionally with ACS codes)' }),
    succeeds: z
      .literal(true)
      .optional()
      .meta({ title: 'Succeeds', description: 'The action completes as it normally does' }),
    http: z
      .union([
        z.strictObject({
          status: z.number().int().min(100).max(599),
          body: z.unknown().optional(),
        }),
        z.literal('timeout'),
      ])
      .optional()
      .meta({
        title: 'HTTP answer',
        description: 'What an HTTP request node’s server answers (status, JSON body), or "timeout"',
      }),
    events: z.array(ScenarioEventSchema).min(1).max(20).optional().meta({
      title: 'Events',
      description: 'The callbacks, as recorded from a call, when no plainer input says the same',
    }),
    after: z.number().min(0).max(86_400).optional().meta({
      title: 'After (seconds)',
      description: 'Time since the previous input, for the simulated clock (default 2)',
    }),
  })
  .superRefine((input, ctx) => {
    const given = INPUT_KINDS.filter((k) => input[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          given.length === 0
            ? 'Say what happens: digits, noInput, hangUp, callee, fails, succeeds, http or events'
            : `Give one of ${given.join(', ')} per input, not several`,
      });
    }
  })
  .meta({ title: 'Input' });

export const ScenarioExpectSchema = z
  .strictObject({
    endNode: z.string().min(1).max(200).optional().meta({
      title: 'Ends at',
      description: 'The id of the node the call ends at',
    }),
    endReason: z.enum(END_REASONS).optional().meta({ title: 'End reason' }),
    path: z.array(z.string().min(1).max(200)).max(1000).optional().meta({
      title: 'Path',
      description: 'The ids of the nodes the call goes through, in order',
    }),
    actions: z.array(z.string().min(1).max(60)).max(1000).optional().meta({
      title: 'Actions',
      description: 'The kinds of the ACS requests the flow makes, in order (e.g. answerCall, play)',
    }),
  })
  .refine((e) => e.endNode !== undefined || e.endReason !== undefined || e.path !== undefined, {
    error: 'Expect at least an end node, an end reason or a path',
  })
  .meta({ title: 'Expected' });

export const ScenarioSchema = z
  .strictObject({
    name: z
      .string()
      .min(1, { error: 'Name the scenario' })
      .max(120)
      .meta({ title: 'Name', description: 'Unique within the flow' }),
    description: z.string().max(2000).optional().meta({ title: 'Description' }),
    call: z
      .strictObject({
        from: z.string().min(1).max(200).optional().meta({ title: 'Caller' }),
        to: z.string().min(1).max(200).optional().meta({ title: 'Number dialled' }),
        callerDisplayName: z.string().max(200).optional().meta({ title: 'Caller name' }),
        id: z.string().min(1).max(200).optional().meta({
          title: 'Call id',
          description:
            'The run id the call gets (default “scenario”): “Split by percentage” reads it',
        }),
        targets: z.array(z.string().min(1).max(200)).min(1).max(5).optional().meta({
          title: 'Targets',
          description: 'Outbound flows: who the run calls',
        }),
      })
      .optional()
      .meta({ title: 'The call' }),
    at: z.iso
      .datetime({
        offset: true,
        error: 'Write the clock as an ISO 8601 time, e.g. 2026-03-03T18:00:00Z',
      })
      .optional()
      .meta({
        title: 'Clock',
        description:
          'When the call starts, for business hours and dates (default 2026-03-03T15:00:00Z, a Tuesday)',
      }),
    variables: z.record(z.string(), z.string().max(4000)).optional().meta({ title: 'Variables' }),
    environment: z
      .record(z.string().regex(ENVIRONMENT_NAME), z.string().max(4000))
      .optional()
      .meta({
        title: 'Environment values',
        description:
          'Values of {{ env.NAME }} for this test (the engine’s own are used for the others)',
      }),
    inputs: z.array(ScenarioInputSchema).max(500).optional().meta({ title: 'Inputs' }),
    expect: ScenarioExpectSchema,
  })
  .meta({ title: 'Scenario', description: 'A test of the flow: a call and what it must do' });

export type ScenarioEvent = z.infer<typeof ScenarioEventSchema>;
export type ScenarioInput = z.infer<typeof ScenarioInputSchema>;
export type ScenarioExpect = z.infer<typeof ScenarioExpectSchema>;
export type Scenario = z.infer<typeof ScenarioSchema>;

/** A Tuesday, 10:00 in New York: open in a nine-to-five week, whatever the time zone's offset. */
export const DEFAULT_SCENARIO_CLOCK = '2026-03-03T15:00:00.000Z';
