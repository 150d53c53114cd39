import { column as c, statement } from './statement.js';
import { OUTBOX, RUN } from './fragments.js';

/**
 * Claims running runs whose wait deadline passed (SKIP LOCKED) and pushes their deadline out by
 * the lease, so one replica reconciles each; returns what reconciliation needs. Reads the
 * partial index of running runs; the deadline itself is in no index (step updates stay HOT).
 * A run whose awaited action is still unsent (in the outbox) is not overdue: its wait has not
 * begun — the dispatcher sends it, or applies its ActionFailed, and then moves the deadline.
 */
export const claimOverdueRuns = statement<{ limit: number; leaseMs: number }>(
  'sb_claim_overdue',
  (
    p,
  ) => `UPDATE ${RUN} r SET ${c('Run', 'deadline')} = now() + make_interval(secs => ${p.leaseMs}::double precision / 1000)
  FROM (SELECT ${c('Run', 'id')} FROM ${RUN} WHERE ${c('Run', 'status')} = 'running' AND ${c('Run', 'deadline')} < now()
          AND NOT EXISTS (SELECT 1 FROM ${OUTBOX} o WHERE o.${c('OutboxAction', 'id')} = ${RUN}.${c('Run', 'awaitingContext')})
        ORDER BY ${c('Run', 'deadline')} LIMIT ${p.limit} FOR UPDATE SKIP LOCKED) due
  WHERE r.${c('Run', 'id')} = due.${c('Run', 'id')}
  RETURNING r.${c('Run', 'id')}, r.${c('Run', 'test')}, r.${c('Run', 'callConnectionId')},
    r.${c('Run', 'awaitingContext')}`,
);

/** Running runs, real and test (the partial index of running runs), for the gauge. */
export const countActiveRuns = statement<Record<string, never>>(
  'sb_active_runs',
  () => `SELECT count(*) FILTER (WHERE NOT ${c('Run', 'test')})::int AS real,
    count(*) FILTER (WHERE ${c('Run', 'test')})::int AS test
  FROM ${RUN} WHERE ${c('Run', 'status')} = 'running'`,
);
