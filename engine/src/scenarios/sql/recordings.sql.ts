import { column as c, columns, statement, table } from '../../runtime/sql/statement.js';

/**
 * The reads that turn stored runs into recordings (replay, Save as test), written like the
 * runtime's SQL (runtime/sql): table and column names from the Prisma client, named parameters.
 * Thousands of runs are read in two statements — the runs, then all their steps by run id array
 * (the step table's primary key starts with the run id) — never one query per run.
 */

const RUN = table('Run');
const STEP = table('RunStep');

/** What a recording needs of a run row (and what a replay result shows of it). */
const RUN_COLUMNS = `${columns(
  'Run',
  'id',
  'flowId',
  'flowVersionId',
  'version',
  'status',
  'endReason',
  'currentNodeId',
  'startedAt',
  'test',
  'fromAddress',
  'toAddress',
  'direction',
  'stepCount',
)}, ${c('Run', 'clockOffsetMs')}::float8 AS ${c('Run', 'clockOffsetMs')}`;

/** Runs by id (any flow, any status: the caller says which it refuses). */
export const runsById = statement<{ ids: string[] }>(
  'sb_recordings_runs_by_id',
  (p) => `SELECT ${RUN_COLUMNS} FROM ${RUN} WHERE ${c('Run', 'id')} = ANY(${p.ids}::text[])`,
);

/**
 * A flow's ended runs started in [from, to), newest first, optionally of one version and real or
 * test only (null: any). Reads the ("flowId", "startedAt") index backwards.
 */
export const endedRunsOfFlow = statement<{
  flowId: string;
  from: string;
  to: string;
  version: number | null;
  test: boolean | null;
  limit: number;
}>(
  'sb_recordings_runs_of_flow',
  (p) => `SELECT ${RUN_COLUMNS} FROM ${RUN}
  WHERE ${c('Run', 'flowId')} = ${p.flowId} AND ${c('Run', 'status')} = 'ended'
    AND ${c('Run', 'startedAt')} >= ${p.from}::timestamp(3) AND ${c('Run', 'startedAt')} < ${p.to}::timestamp(3)
    AND (${p.version}::int IS NULL OR ${c('Run', 'version')} = ${p.version}::int)
    AND (${p.test}::boolean IS NULL OR ${c('Run', 'test')} = ${p.test}::boolean)
  ORDER BY ${c('Run', 'startedAt')} DESC, ${c('Run', 'id')} DESC
  LIMIT ${p.limit}`,
);

/**
 * Every step of these runs, in run and step order: the event, the trace, when it came in. The
 * step table is partitioned by day of run start: `[from, to]`, the runs' first and last start
 * time, keeps the read to the days they span.
 */
export const stepsOfRuns = statement<{ ids: string[]; from: string; to: string }>(
  'sb_recordings_steps',
  (p) => `SELECT ${columns('RunStep', 'runId', 'seq', 'event', 'trace', 'receivedAt')}
  FROM ${STEP} WHERE ${c('RunStep', 'runId')} = ANY(${p.ids}::text[])
    AND ${c('RunStep', 'runStartedAt')} BETWEEN ${p.from}::timestamp(3) AND ${p.to}::timestamp(3)
  ORDER BY ${c('RunStep', 'runId')}, ${c('RunStep', 'seq')}`,
);
