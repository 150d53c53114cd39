import { END_REASONS, ScenarioSchema } from '@switchboard/flow';
import { z } from 'zod';
import { RunIdSchema } from '../runs/runs.schemas.js';

/** Most runs one replay takes (by id or by filter). */
export const MAX_REPLAY_RUNS = 5000;
export const DEFAULT_REPLAY_LIMIT = 500;
/** Most steps one replay reads (5,000 calls of 50 steps): runs caught in a loop are long. */
export const MAX_REPLAY_STEPS = 250_000;

const draftFlag = z
  .literal(true, { error: 'must be true (or leave it out): the saved draft is the default' })
  .optional()
  .describe('The saved draft (the default)');

const versionField = z
  .number({ error: 'must be a version number' })
  .int('must be a whole number')
  .positive('must be a published version: 1 or more')
  .max(2_147_483_647, 'is too large')
  .optional();

const iso = (what: string) =>
  z.iso.datetime({
    offset: true,
    error: `must be an ISO 8601 date-time with an offset, e.g. 2026-12-08T10:00:00Z (${what})`,
  });

/** Which document a replay or a scenario run is for: the saved draft, or a published version. */
const targetRefine = <T extends { draft?: true | undefined; version?: number | undefined }>(b: T) =>
  !(b.draft && b.version !== undefined);
const BOTH = { message: 'give either draft: true or a version, not both', path: ['version'] };

export const ReplayFilterSchema = z
  .strictObject({
    from: iso('the earliest start')
      .optional()
      .describe('Runs started at or after (default: 24 hours before `to`)'),
    to: iso('the latest start').optional().describe('Runs started before (default: now)'),
    version: z
      .number({ error: 'must be a version number' })
      .int('must be a whole number')
      .min(0, 'must be 0 (test calls of drafts) or a published version')
      .max(2_147_483_647, 'is too large')
      .optional()
      .describe('Only runs of this version (0: test calls of drafts)'),
    limit: z
      .number({ error: 'must be a number of runs' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_REPLAY_RUNS, `must be at most ${MAX_REPLAY_RUNS}`)
      .default(DEFAULT_REPLAY_LIMIT)
      .describe(
        `How many runs, newest first (default ${DEFAULT_REPLAY_LIMIT}, at most ${MAX_REPLAY_RUNS})`,
      ),
    test: z
      .boolean({ error: 'must be true or false (or leave it out for both)' })
      .optional()
      .describe('true: test calls only; false: real calls only; left out: both'),
  })
  .refine((f) => !f.from || !f.to || Date.parse(f.from) < Date.parse(f.to), {
    message: 'must be later than from',
    path: ['to'],
  });

export const ReplayRequestSchema = z.preprocess(
  (v) => v ?? {},
  z
    .strictObject({
      runIds: z
        .array(RunIdSchema, { error: 'must be a list of run ids' })
        .min(1, 'must name at least one run (or leave it out and give a filter)')
        .max(MAX_REPLAY_RUNS, `can name at most ${MAX_REPLAY_RUNS} runs`)
        .optional()
        .describe('These runs of the flow (ended ones); instead of a filter'),
      filter: ReplayFilterSchema.optional().describe(
        "Which of the flow's ended runs (default: the last 24 hours, newest first, 500 at most)",
      ),
      draft: draftFlag,
      version: versionField.describe('Replay against this published version instead of the draft'),
    })
    .refine(targetRefine, BOTH)
    .refine((b) => !(b.runIds && b.filter), {
      message: 'give either runIds or a filter, not both',
      path: ['filter'],
    }),
);

export const TargetRequestSchema = z.preprocess(
  (v) => v ?? {},
  z
    .strictObject({
      draft: draftFlag,
      version: versionField.describe(
        'Run the scenarios of this published version instead of the draft',
      ),
    })
    .refine(targetRefine, BOTH),
);

export const SaveScenarioRequestSchema = z.strictObject({
  runId: RunIdSchema.describe(
    'The run (real or test call) to make a scenario of; it must have ended',
  ),
  name: z
    .string({ error: 'must be a name' })
    .trim()
    .min(1, 'cannot be empty')
    .max(100, 'must be at most 100 characters')
    .optional()
    .describe('Default: "Call from <caller> at <time>"; a name the draft already has gets " (2)"'),
});

const PathStepSchema = z.object({
  nodeId: z.string(),
  outcome: z.string().optional().describe('The outcome it took there (none where the call ended)'),
});

const EndSchema = z.object({ nodeId: z.string(), reason: z.enum(END_REASONS) });

const UnansweredSchema = z.object({
  nodeId: z.string(),
  index: z.number().int().describe('The how-manieth time (from 0) this node asked'),
  message: z.string(),
});

const DivergenceSchema = z.object({
  step: z.number().int().describe('Index in the paths (0: the trigger)'),
  nodeId: z.string(),
  oldOutcome: z.string().nullable(),
  newOutcome: z.string().nullable(),
  oldNext: z.string().nullable().describe('The node the call went to next (null: it ended there)'),
  newNext: z.string().nullable().describe('The node it would go to now (null: it would end there)'),
});

export const ReplayResultSchema = z.object({
  runId: z.string(),
  status: z
    .enum(['same', 'diverged', 'incomplete', 'notReplayable'])
    .describe(
      'same: the same path and end; diverged: see divergence; incomplete: the new path asks for an ' +
        'input the call never gave (see unanswered); notReplayable: the record does not replay on its own version',
    ),
  summary: z.string().describe('One sentence for people'),
  divergence: DivergenceSchema.optional().describe('The first step where the paths part'),
  oldPath: z.array(PathStepSchema),
  newPath: z.array(PathStepSchema),
  oldEnd: EndSchema.optional(),
  newEnd: EndSchema.optional(),
  unanswered: UnansweredSchema.optional().describe(
    'Where the replay stopped: what the new path asks for was never given (not invented)',
  ),
  startedAt: z.iso.datetime(),
  version: z.number().int().describe('The version the run used (0: a test call of a draft)'),
  test: z.boolean(),
  from: z.string().describe('The caller (incoming) or the person called (outbound)'),
});

const EndCountSchema = z.object({
  nodeId: z.string(),
  label: z.string(),
  reason: z.string().describe('The end reason (unknown: the replay stopped there, unanswered)'),
  runs: z.number().int(),
});

export const ReplaySummarySchema = z.object({
  runs: z.number().int(),
  same: z.number().int(),
  diverged: z.number().int(),
  incomplete: z.number().int(),
  notReplayable: z.number().int(),
  endsBefore: z.array(EndCountSchema).describe('Where the calls ended, as recorded'),
  endsAfter: z.array(EndCountSchema).describe('Where they would end now'),
  reached: z
    .array(
      z.object({
        nodeId: z.string(),
        label: z.string(),
        before: z.number().int(),
        after: z.number().int(),
      }),
    )
    .describe('Nodes more (or fewer) calls would go through, most changed first'),
  text: z
    .string()
    .describe('e.g. "37 of 500 calls would take a different path; 12 would now reach “Sales”"'),
});

export const ReplayResponseSchema = z.object({
  target: z.object({
    draft: z.boolean(),
    version: z.number().int().nullable(),
  }),
  summary: ReplaySummarySchema,
  results: z.array(ReplayResultSchema).describe('One per run, newest first'),
});

export const ScenarioResultSchema = z.object({
  name: z.string(),
  passed: z.boolean(),
  failures: z.array(z.string()).describe('Why it failed, in plain words; empty when it passed'),
  end: EndSchema.optional(),
  path: z.array(PathStepSchema),
  actions: z.array(z.string()).describe('Kinds of the ACS requests made, in order'),
  unanswered: UnansweredSchema.optional(),
  unusedInputs: z
    .array(z.number().int())
    .optional()
    .describe('Places (0-based, in the scenario’s inputs) of the inputs the call never asked for'),
});

export const ScenarioRunResponseSchema = z.object({
  results: z.array(ScenarioResultSchema),
  passed: z.number().int(),
  failed: z.number().int(),
});

export const SavedScenarioSchema = z.object({
  scenario: ScenarioSchema,
  notes: z
    .array(z.string())
    .describe('What people should know, e.g. sensitive keys written as zeros'),
  revision: z.number().int().describe('The draft revision now holding the scenario'),
});

export type ReplayRequest = z.output<typeof ReplayRequestSchema>;
export type TargetRequest = z.output<typeof TargetRequestSchema>;
export type SaveScenarioRequest = z.output<typeof SaveScenarioRequestSchema>;
export type ReplayResponse = z.output<typeof ReplayResponseSchema>;
export type ReplayResultDto = z.output<typeof ReplayResultSchema>;
export type ScenarioRunResponse = z.output<typeof ScenarioRunResponseSchema>;
export type SavedScenario = z.output<typeof SavedScenarioSchema>;
