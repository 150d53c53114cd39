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
 * A step of a run this transaction holds locked (lock-run): the run update, the step record and
 * the outbox rows in one statement, one round trip, sent together with COMMIT.
 */
export const writeStep = statement<StepParams>(
  'sb_write_step',
  (p) => `WITH u AS (
  UPDATE ${RUN} SET ${runUpdate(p)}
  WHERE ${c('Run', 'id')} = ${p.runId}),
s AS (
  INSERT INTO ${STEP} (${STEP_COLUMNS}) VALUES (${p.runId}, ${stepValues(p)}))
INSERT INTO ${OUTBOX} (${OUTBOX_COLUMNS}) ${outboxRows(p, p.runId)}`,
);
