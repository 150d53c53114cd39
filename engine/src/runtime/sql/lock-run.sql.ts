import { column as c } from './statement.js';
import { statement } from './statement.js';
import { LOCKED_RUN_COLUMNS, RUN, STEP } from './fragments.js';

/**
 * Locks the run and says whether the event is new. Under the row lock no other step of this run
 * can commit, so "no step has this event id" stays true until this transaction writes its own
 * (the unique index on the step's event id settles any other race: that write fails, nothing is
 * applied twice). The step table is partitioned by the run's start time, which the locked row
 * gives: Postgres looks into that one partition (pruned at run time). By run id (our operation contexts name it) or, for callbacks without one, by
 * the call connection id.
 */
const fresh = (eventId: string) =>
  `NOT EXISTS (SELECT 1 FROM ${STEP} s WHERE s.${c('RunStep', 'eventId')} = ${eventId}
    AND s.${c('RunStep', 'runStartedAt')} = ${RUN}.${c('Run', 'startedAt')}) AS fresh`;

export const lockRunById = statement<{ runId: string; eventId: string }>(
  'sb_lock_id',
  (p) => `SELECT ${LOCKED_RUN_COLUMNS}, ${fresh(p.eventId)}
FROM ${RUN} WHERE ${c('Run', 'id')} = ${p.runId} FOR UPDATE`,
);

export const lockRunByConnection = statement<{ callConnectionId: string; eventId: string }>(
  'sb_lock_cc',
  (p) => `SELECT ${LOCKED_RUN_COLUMNS}, ${fresh(p.eventId)}
FROM ${RUN} WHERE ${c('Run', 'callConnectionId')} = ${p.callConnectionId} FOR UPDATE`,
);
