import { column as c, statement } from './statement.js';
import { OUTBOX, RUN, STEP } from './fragments.js';

/**
 * Takes sent actions out of the outbox (it holds only what is still to send). Issued on the hint
 * pool: a lost mark only causes a resend with the same Repeatability-Request-ID.
 */
export const deleteSentActions = statement<{ ids: string[] }>(
  'sb_mark_sent',
  (p) => `DELETE FROM ${OUTBOX} WHERE ${c('OutboxAction', 'id')} = ANY(${p.ids})`,
);

/** Records a send that got no answer (the dispatcher gives up after a few). */
export const countAttempt = statement<{ id: string; error: string }>(
  'sb_outbox_attempt',
  (
    p,
  ) => `UPDATE ${OUTBOX} SET ${c('OutboxAction', 'attempts')} = ${c('OutboxAction', 'attempts')} + 1,
    ${c('OutboxAction', 'lastError')} = ${p.error}
  WHERE ${c('OutboxAction', 'id')} = ${p.id}`,
);

/**
 * Unsent actions older than the grace period, locked (SKIP LOCKED) for the rest of the
 * transaction: another replica's dispatcher skips them, so no action is sent by two replicas.
 * `acknowledged`: the run has applied an event carrying the action's operation context (its
 * callback, or its HTTP answer) — ACS got it, only the "sent" mark was lost. (The run's start
 * time names the one step partition to look in.)
 */
export const lockStaleActions = statement<{ graceMs: number; limit: number }>(
  'sb_outbox_stale',
  (
    p,
  ) => `SELECT o.${c('OutboxAction', 'id')}, o.${c('OutboxAction', 'runId')}, o.${c('OutboxAction', 'action')},
    o.${c('OutboxAction', 'createdAt')}, o.${c('OutboxAction', 'attempts')}, r.${c('Run', 'test')},
    r.${c('Run', 'callConnectionId')},
    EXISTS (SELECT 1 FROM ${STEP} s WHERE s.${c('RunStep', 'runId')} = o.${c('OutboxAction', 'runId')}
      AND s.${c('RunStep', 'runStartedAt')} = r.${c('Run', 'startedAt')}
      AND s.${c('RunStep', 'seq')} > o.${c('OutboxAction', 'stepSeq')}
      AND s.${c('RunStep', 'operationContext')} = o.${c('OutboxAction', 'operationContext')}) AS acknowledged
  FROM ${OUTBOX} o JOIN ${RUN} r ON r.${c('Run', 'id')} = o.${c('OutboxAction', 'runId')}
  WHERE o.${c('OutboxAction', 'createdAt')} < now() - make_interval(secs => ${p.graceMs}::double precision / 1000)
  ORDER BY o.${c('OutboxAction', 'createdAt')}, o.${c('OutboxAction', 'stepSeq')}, o.${c('OutboxAction', 'ord')}
  LIMIT ${p.limit} FOR UPDATE OF o SKIP LOCKED`,
);

/** Unsent actions, for the backlog gauge (the outbox holds only those). */
export const countOutbox = statement<Record<string, never>>(
  'sb_outbox_count',
  () => `SELECT count(*)::int AS n FROM ${OUTBOX}`,
);
