import { column as c, statement } from './statement.js';
import {
  OUTBOX,
  OUTBOX_COLUMNS,
  outboxRows,
  RUN,
  runUpdate,
  STEP,
  STEP_COLUMNS,
  stepValues,
  type StepParams,
} from './fragments.js';

/**
 * The whole step in one autocommit statement, for a caller whose copy of the run is current (the
 * optimistic path): the run moves on only if it is still running at step count `seq` (no other
 * step committed meanwhile — a concurrent one holds the row lock, and this re-checks the row once
 * it is released) and the event id is new (looked up in the run's one step partition: the
 * partition key is a parameter, checked against the run row so that a copy with a wrong start
 * time writes nothing rather than miss a duplicate in another partition); the step record and the outbox rows are written only
 * with it. A racing copy of the same event id fails the step insert (unique event id), and with it
 * the whole statement. Its row count (no rows are sent back) is the number of step records
 * written: 1 applied, 0 nothing written — then the caller takes the locking path.
 */
export const tryStep = statement<StepParams>(
  'sb_try_step',
  (p) => `WITH u AS (
  UPDATE ${RUN} SET ${runUpdate(p)}
  WHERE ${c('Run', 'id')} = ${p.runId} AND ${c('Run', 'status')} = 'running'
    AND ${c('Run', 'stepCount')} = ${p.seq}
    AND ${c('Run', 'startedAt')} = ${p.runStartedAt}::timestamp(3)
    AND NOT EXISTS (SELECT 1 FROM ${STEP} WHERE ${c('RunStep', 'eventId')} = ${p.eventId}
      AND ${c('RunStep', 'runStartedAt')} = ${p.runStartedAt}::timestamp(3))
  RETURNING ${c('Run', 'id')}),
o AS (
  INSERT INTO ${OUTBOX} (${OUTBOX_COLUMNS}) ${outboxRows(p, 'u.id', 'u, ')})
INSERT INTO ${STEP} (${STEP_COLUMNS}) SELECT u.id, ${stepValues(p)} FROM u`,
);
