import { column as c, statement, table } from '../../runtime/sql/statement.js';

/**
 * Retention's statements (engine/src/retention), written like the runtime's SQL: table and column
 * names from the Prisma client, named parameters, UTC times as ISO strings.
 */

const RUN = table('Run');
const STEP = table('RunStep');
const OUTBOX = table('OutboxAction');

/**
 * Deletes a batch of the ended runs `pick` selects (`id`, `startedAt`; at most `limit`, locked
 * SKIP LOCKED) with everything keyed to them: their outbox rows and — unless `withSteps` is
 * false, when their step partition is about to be dropped whole — their steps. The steps are
 * found by run id and start time, both keys of the step table, within `[from, before)` of run
 * start times, so only those days' partitions are looked into.
 */
const deleteRuns = (
  p: { readonly withSteps: string; readonly from: string; readonly before: string },
  pick: string,
) => `WITH doomed AS (${pick}),
gone AS (
  DELETE FROM ${RUN} r USING doomed d WHERE r.${c('Run', 'id')} = d.${c('Run', 'id')}
  RETURNING r.${c('Run', 'id')}, r.${c('Run', 'startedAt')}),
s AS (
  DELETE FROM ${STEP} st USING gone g
  WHERE ${p.withSteps}::boolean AND st.${c('RunStep', 'runId')} = g.${c('Run', 'id')}
    AND st.${c('RunStep', 'runStartedAt')} = g.${c('Run', 'startedAt')}
    AND st.${c('RunStep', 'runStartedAt')} >= ${p.from}::timestamp(3)
    AND st.${c('RunStep', 'runStartedAt')} < ${p.before}::timestamp(3)
  RETURNING 1),
o AS (
  DELETE FROM ${OUTBOX} ox USING gone g WHERE ox.${c('OutboxAction', 'runId')} = g.${c('Run', 'id')}
  RETURNING 1)
SELECT (SELECT count(*) FROM gone)::int AS runs, (SELECT count(*) FROM s)::int AS steps,
  (SELECT count(*) FROM o)::int AS outbox`;

export interface DeletedRows {
  runs: number;
  steps: number;
  outbox: number;
}

/** Ended runs (real and test) started in `[from, before)`: the run retention (Run_startedAt_id_idx). */
export const deleteEndedRunsStarted = statement<{
  from: string;
  before: string;
  withSteps: boolean;
  limit: number;
}>('sb_retention_runs', (p) =>
  deleteRuns(
    p,
    `SELECT ${c('Run', 'id')}, ${c('Run', 'startedAt')} FROM ${RUN}
    WHERE ${c('Run', 'startedAt')} >= ${p.from}::timestamp(3) AND ${c('Run', 'startedAt')} < ${p.before}::timestamp(3)
      AND ${c('Run', 'status')} = 'ended'
    LIMIT ${p.limit} FOR UPDATE SKIP LOCKED`,
  ),
);

/**
 * Ended test runs that ended before `before` (the partial index of test runs by end time):
 * SWITCHBOARD_TEST_RUN_RETENTION_HOURS. A run ends after it starts, so its steps are in the
 * partitions before `before`.
 */
export const deleteEndedTestRuns = statement<{
  from: string;
  before: string;
  withSteps: boolean;
  limit: number;
}>('sb_retention_test_runs', (p) =>
  deleteRuns(
    p,
    `SELECT ${c('Run', 'id')}, ${c('Run', 'startedAt')} FROM ${RUN}
    WHERE ${c('Run', 'test')} AND ${c('Run', 'status')} = 'ended'
      AND ${c('Run', 'endedAt')} < ${p.before}::timestamp(3)
    LIMIT ${p.limit} FOR UPDATE SKIP LOCKED`,
  ),
);

/** Whether a run started in `[from, to)` is still running (the partial index of running runs). */
export const liveRunStarted = statement<{ from: string; to: string }>(
  'sb_retention_live',
  (p) => `SELECT EXISTS (SELECT 1 FROM ${RUN} WHERE ${c('Run', 'status')} = 'running'
    AND ${c('Run', 'startedAt')} >= ${p.from}::timestamp(3) AND ${c('Run', 'startedAt')} < ${p.to}::timestamp(3)) AS live`,
);

/** The step table's partitions by name. */
export const stepPartitions = statement<Record<string, never>>(
  'sb_retention_partitions',
  () => `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = '${STEP}'::regclass ORDER BY c.relname`,
);

/** Path-analytics hours before `before` (their runs are gone). */
export const deleteRollupHours = statement<{ before: string }>(
  'sb_retention_rollups',
  (p) =>
    `DELETE FROM ${table('PathRollupHour')} WHERE ${c('PathRollupHour', 'hour')} < ${p.before}::timestamp(3)`,
);

/** Dead letters (raw bodies of events never applied) received before `before`. */
export const deleteDeadLetters = statement<{ before: string }>(
  'sb_retention_dead_letters',
  (p) =>
    `DELETE FROM ${table('DeadLetter')} WHERE ${c('DeadLetter', 'receivedAt')} < ${p.before}::timestamp(3)`,
);
