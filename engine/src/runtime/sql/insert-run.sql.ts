import { columns, statement } from './statement.js';
import {
  OUTBOX,
  OUTBOX_COLUMNS,
  outboxRows,
  RUN,
  STEP,
  STEP_COLUMNS,
  stepValues,
  type StepParams,
} from './fragments.js';

export interface InsertRunParams extends StepParams {
  flowId: string;
  flowVersionId: string;
  version: number;
  direction: string;
  fromAddress: string;
  toAddress: string;
  startedBy: string;
  test: boolean;
  clockOffsetMs: number;
}

/**
 * A new run with its first step (seq 0) and actions: one statement, so one transaction
 * (autocommit). The step's unique event id (an IncomingCall's Event Grid id) makes a
 * redelivered IncomingCall fail here instead of starting a second run.
 */
export const insertRun = statement<InsertRunParams>(
  'sb_insert_run',
  (p) => `WITH r AS (
  INSERT INTO ${RUN} (${columns(
    'Run',
    'id',
    'flowId',
    'flowVersionId',
    'version',
    'direction',
    'status',
    'endReason',
    'currentNodeId',
    'awaitingContext',
    'state',
    'fromAddress',
    'toAddress',
    'deadline',
    'stepCount',
    'startedAt',
    'updatedAt',
    'endedAt',
    'startedBy',
    'correlationId',
    'test',
    'clockOffsetMs',
    'nodesEntered',
    'edgesTaken',
  )})
  VALUES (${p.runId}, ${p.flowId}, ${p.flowVersionId}, ${p.version}, ${p.direction}, ${p.status},
    ${p.endReason}, ${p.currentNodeId}, ${p.awaitingContext}::text, ${p.state}, ${p.fromAddress},
    ${p.toAddress}, ${p.deadline}, 1, ${p.now}, ${p.now},
    CASE WHEN ${p.status}::text = 'ended' THEN ${p.now}::timestamp(3) ELSE NULL END,
    ${p.startedBy}, NULLIF(${p.correlationId}, ''), ${p.test}, ${p.clockOffsetMs},
    ${p.nodesEntered}::text[], ${p.edgesTaken}::text[])),
s AS (
  INSERT INTO ${STEP} (${STEP_COLUMNS}) VALUES (${p.runId}, ${stepValues(p)}))
INSERT INTO ${OUTBOX} (${OUTBOX_COLUMNS}) ${outboxRows(p, p.runId)}`,
);
