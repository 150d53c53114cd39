import { column as c, columns, table } from './statement.js';

/**
 * Pieces the step statements share, so the run update, the step record and the outbox rows are
 * spelled once: write-step, try-step and insert-run differ only in how they decide to write.
 */

export const RUN = table('Run');
export const STEP = table('RunStep');
export const OUTBOX = table('OutboxAction');

/** Everything a step writes, by name (the parameters of write-step, try-step, insert-run). */
export interface StepParams extends Record<string, unknown> {
  runId: string;
  /** The run state as stored (JSON text). */
  state: string;
  status: string;
  endReason: string | null;
  currentNodeId: string | null;
  /** The operation context the run waits on (the reconciler's Timeout names it). */
  awaitingContext: string | null;
  /** UTC ISO time or null. */
  deadline: string | null;
  /** The run's step count before this step: the step's seq. */
  seq: number;
  /** Commit time (UTC ISO). */
  now: string;
  /** The committing engine process (OutboxAction.owner). */
  owner: string | null;
  callConnectionId: string | null;
  correlationId: string;
  eventId: string;
  eventType: string;
  /** The event as applied (JSON text), so a run can be replayed. */
  event: string;
  /** The applied event's operation context (the outbox dispatcher's "already answered"). */
  operationContext: string | null;
  trace: string;
  actions: string;
  /** Variables after the step (JSON text) when it changed them, else null. */
  vars: string | null;
  receivedAt: string;
  /**
   * The run's start time (UTC ISO): the step table's partition key, so the step is written to,
   * and its event id looked up in, the one partition of its run.
   */
  runStartedAt: string;
  /** The ACS actions to send, in order: their ids, operation contexts and JSON texts. */
  actionIds: string[];
  actionContexts: string[];
  outbox: string[];
  /** What the step's trace adds to the run's path (run-path.ts): node ids and edge keys. */
  nodesEntered: string[];
  edgesTaken: string[];
}

/** The run row's columns a locked step reads (what `LockedRun` holds). */
export const LOCKED_RUN_COLUMNS = `${columns(
  'Run',
  'id',
  'status',
  'state',
  'flowVersionId',
  'stepCount',
  'callConnectionId',
  'test',
  'startedAt',
)}, ${c('Run', 'clockOffsetMs')}::float8 AS ${c('Run', 'clockOffsetMs')}`;

/** The state columns of a step's run update (runUpdate without the path). */
export const runStateUpdate = (p: { readonly [K in keyof StepParams]: string }) => `
    ${c('Run', 'state')} = ${p.state}, ${c('Run', 'status')} = ${p.status},
    ${c('Run', 'endReason')} = ${p.endReason}, ${c('Run', 'currentNodeId')} = ${p.currentNodeId},
    ${c('Run', 'awaitingContext')} = ${p.awaitingContext}::text,
    ${c('Run', 'deadline')} = ${p.deadline}, ${c('Run', 'stepCount')} = ${p.seq} + 1,
    ${c('Run', 'updatedAt')} = ${p.now},
    ${c('Run', 'endedAt')} = CASE WHEN ${p.status}::text = 'ended' THEN ${p.now}::timestamp(3) ELSE NULL END,
    ${c('Run', 'callConnectionId')} = COALESCE(${c('Run', 'callConnectionId')}, ${p.callConnectionId}),
    ${c('Run', 'correlationId')} = COALESCE(${c('Run', 'correlationId')}, NULLIF(${p.correlationId}, ''))`;

/** `column || the values of param it does not hold yet`, in the param's order. */
const appendNew = (field: 'nodesEntered' | 'edgesTaken', param: string) => {
  const col = c('Run', field);
  return `${col} = CASE WHEN cardinality(${param}::text[]) = 0 THEN ${col} ELSE ${col} || ARRAY(
      SELECT u.v FROM unnest(${param}::text[]) WITH ORDINALITY AS u(v, i)
      WHERE u.v <> ALL (${col}) ORDER BY u.i) END`;
};

/**
 * The run's path (analytics): the nodes and edges this step took that the run had not yet. A
 * step that enters nothing (most of them) leaves both as they are. Neither is in an index, so
 * the update stays HOT.
 */
export const runPathUpdate = (p: { readonly [K in keyof StepParams]: string }) =>
  `${appendNew('nodesEntered', p.nodesEntered)},
    ${appendNew('edgesTaken', p.edgesTaken)}`;

/** SET list of a step's run update (the step count moves on by one), its path included. */
export const runUpdate = (p: { readonly [K in keyof StepParams]: string }) =>
  `${runStateUpdate(p)},
    ${runPathUpdate(p)}`;

export const STEP_COLUMNS = columns(
  'RunStep',
  'runId',
  'seq',
  'eventId',
  'eventType',
  'event',
  'nodeId',
  'trace',
  'actions',
  'vars',
  'operationContext',
  'receivedAt',
  'committedAt',
  'runStartedAt',
);

/** The step record's values after `runId` (typed: they are also selected, not only inserted). */
export const stepValues = (p: { readonly [K in keyof StepParams]: string }) =>
  `${p.seq}::int, ${p.eventId}::text, ${p.eventType}::text, ${p.event}::jsonb, ${p.currentNodeId}::text,
   ${p.trace}::jsonb, ${p.actions}::jsonb, ${p.vars}::jsonb, ${p.operationContext}::text,
   ${p.receivedAt}::timestamp(3), ${p.now}::timestamp(3), ${p.runStartedAt}::timestamp(3)`;

export const OUTBOX_COLUMNS = columns(
  'OutboxAction',
  'id',
  'runId',
  'stepSeq',
  'ord',
  'operationContext',
  'action',
  'createdAt',
  'owner',
);

/**
 * The outbox rows of a step, one per ACS action in order, for the run `runIdSql`; `from` adds
 * a relation to the FROM list (try-step inserts them only if its update returned the run).
 */
export const outboxRows = (
  p: { readonly [K in keyof StepParams]: string },
  runIdSql: string,
  from = '',
) =>
  `SELECT t.id, ${runIdSql}, ${p.seq}::int, (t.ord - 1)::int, t.context, t.action, ${p.now}::timestamp(3),
     ${p.owner}::text
   FROM ${from}unnest(${p.actionIds}::text[], ${p.actionContexts}::text[], ${p.outbox}::jsonb[])
     WITH ORDINALITY AS t(id, context, action, ord)`;
