import { z } from 'zod';

const instant = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date and time with a zone, e.g. 2026-12-01T00:00:00Z',
});

/** Longest range one request may cover. */
export const MAX_RANGE_DAYS = 366;
/** Range when `from` is not given: this many days before `to`. */
export const DEFAULT_RANGE_DAYS = 7;

export const AnalyticsQuerySchema = z.strictObject({
  from: instant
    .optional()
    .describe(`Runs started at or after this time; default: ${DEFAULT_RANGE_DAYS} days before to`),
  to: instant.optional().describe('Runs started before this time; default: now'),
  version: z.coerce
    .number({ error: 'must be a version number' })
    .int('must be a whole number')
    .min(0, 'must be 0 (test runs of drafts) or a published version')
    .max(2_147_483_647, 'is too large')
    .optional()
    .describe(
      'Only runs of this published version (0: test runs of drafts); default: every version',
    ),
  test: z
    .enum(['false', 'true', 'all'], { error: 'must be true, false or all' })
    .default('false')
    .describe('Real calls only (false, the default), test calls only (true) or both (all)'),
});

export type AnalyticsQuery = z.output<typeof AnalyticsQuerySchema>;

export const AnalyticsEdgeSchema = z.object({
  source: z.string(),
  sourceOutcome: z.string(),
  target: z.string(),
  runs: z.number().int().describe('Runs that took this edge at least once'),
});

export const AnalyticsNodeSchema = z.object({
  id: z.string(),
  entered: z.number().int().describe('Runs that entered this node at least once'),
  ended: z.number().int().describe('Ended runs whose last node is this one'),
  endReasons: z
    .record(z.string(), z.number().int())
    .describe('Those ended runs by end reason, e.g. { "completed": 12, "callerHungUp": 3 }'),
});

export const AnalyticsSchema = z.object({
  flowId: z.string(),
  from: z.iso.datetime().describe('The range used: runs started at or after this time…'),
  to: z.iso.datetime().describe('…and before this one'),
  version: z.number().int().nullable().describe('The version counted; null: every version'),
  test: z.enum(['false', 'true', 'all']).describe('Which runs were counted (real, test or both)'),
  runs: z.number().int().describe('Runs started in the range'),
  edges: z
    .array(AnalyticsEdgeSchema)
    .describe('Every edge some run took, most taken first; an edge no run took is absent'),
  nodes: z
    .array(AnalyticsNodeSchema)
    .describe('Every node some run entered, most entered first; a node no run entered is absent'),
});

export type AnalyticsDto = z.output<typeof AnalyticsSchema>;
