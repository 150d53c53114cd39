import { column as c, statement } from './statement.js';
import { OWNER_PREFIX } from '../runtime-db.js';
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
 * Whether the run of outbox row `o` (run `r`) has applied an event carrying the action's operation
 * context (its callback, or its HTTP answer): ACS got it, only the "sent" mark was lost. (The
 * run's start time names the one step partition to look in.)
 */
const acknowledged = `EXISTS (SELECT 1 FROM ${STEP} s WHERE s.${c('RunStep', 'runId')} = o.${c('OutboxAction', 'runId')}
      AND s.${c('RunStep', 'runStartedAt')} = r.${c('Run', 'startedAt')}
      AND s.${c('RunStep', 'seq')} > o.${c('OutboxAction', 'stepSeq')}
      AND s.${c('RunStep', 'operationContext')} = o.${c('OutboxAction', 'operationContext')})`;

/**
 * Unsent actions older than the grace period, locked (SKIP LOCKED) for the rest of the
 * transaction: another replica's dispatcher skips them, so no action is sent by two replicas.
 * Only rows of this process (but not those of `pending`: sent, their marks not yet written) or
 * of a process that is gone (none of its sessions left): a live owner knows which of its rows
 * were sent, no other replica does — and ACS cannot deduplicate a play or a recognize.
 * `acknowledged`: the run has applied an event carrying the action's operation context (its
 * callback, or its HTTP answer) — ACS got it, only the "sent" mark was lost. (The run's start
 * time names the one step partition to look in.)
 */
export const lockStaleActions = statement<{
  graceMs: number;
  limit: number;
  owner: string;
  pending: string[];
}>(
  'sb_outbox_stale',
  (
    p,
  ) => `SELECT o.${c('OutboxAction', 'id')}, o.${c('OutboxAction', 'runId')}, o.${c('OutboxAction', 'action')},
    o.${c('OutboxAction', 'createdAt')}, o.${c('OutboxAction', 'attempts')}, r.${c('Run', 'test')},
    r.${c('Run', 'callConnectionId')},
    ${acknowledged} AS acknowledged
  FROM ${OUTBOX} o JOIN ${RUN} r ON r.${c('Run', 'id')} = o.${c('OutboxAction', 'runId')}
  WHERE o.${c('OutboxAction', 'createdAt')} < now() - make_interval(secs => ${p.graceMs}::double precision / 1000)
    AND (o.${c('OutboxAction', 'owner')} IS NULL OR o.${c('OutboxAction', 'owner')} = ${p.owner}
      OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a
        WHERE a.application_name = '${OWNER_PREFIX}' || o.${c('OutboxAction', 'owner')}))
    AND NOT (o.${c('OutboxAction', 'id')} = ANY(${p.pending}::text[]))
  ORDER BY o.${c('OutboxAction', 'createdAt')}, o.${c('OutboxAction', 'stepSeq')}, o.${c('OutboxAction', 'ord')}
  LIMIT ${p.limit} FOR UPDATE OF o SKIP LOCKED`,
);

/** Unsent actions, for the backlog gauge (the outbox holds only those). */
export const countOutbox = statement<Record<string, never>>(
  'sb_outbox_count',
  () => `SELECT count(*)::int AS n FROM ${OUTBOX}`,
);

/**
 * `acknowledged` again, just before the dispatcher sends a row: a batch's rows are sent one
 * after the other, and an answer may have been applied since the batch was read.
 */
export const isAcknowledged = statement<{ id: string }>(
  'sb_outbox_acknowledged',
  (p) => `SELECT ${acknowledged} AS acknowledged
  FROM ${OUTBOX} o JOIN ${RUN} r ON r.${c('Run', 'id')} = o.${c('OutboxAction', 'runId')}
  WHERE o.${c('OutboxAction', 'id')} = ${p.id}`,
);

/**
 * The dispatcher sent an action late (after a crash, an outage, a throttle): when the run waits
 * on it, its wait starts now, not when the action was committed — or the reconciler would time
 * out a prompt the caller has only begun to hear. Issued before the row's sent mark.
 */
export const extendWait = statement<{ id: string }>(
  'sb_outbox_extend_wait',
  (
    p,
  ) => `UPDATE ${RUN} r SET ${c('Run', 'deadline')} = r.${c('Run', 'deadline')} + (now() - o.${c('OutboxAction', 'createdAt')})
  FROM ${OUTBOX} o
  WHERE o.${c('OutboxAction', 'id')} = ${p.id} AND r.${c('Run', 'id')} = o.${c('OutboxAction', 'runId')}
    AND r.${c('Run', 'awaitingContext')} = o.${c('OutboxAction', 'id')} AND r.${c('Run', 'status')} = 'running'`,
);

/** Whether the database answers (the dispatcher waits for it to have answered a while). */
export const ping = statement<Record<string, never>>('sb_ping', () => `SELECT 1`);
