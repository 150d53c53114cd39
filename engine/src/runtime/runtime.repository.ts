import { Injectable } from '@nestjs/common';
import type { AcsAction, RunState, TraceEntry } from '@switchboard/flow';
import type pg from 'pg';
import { stepPath } from './run-path.js';
import { RuntimeDb, utc } from './runtime-db.js';
import type { StepParams } from './sql/fragments.js';
import { insertRun } from './sql/insert-run.sql.js';
import { lockRunByConnection, lockRunById } from './sql/lock-run.sql.js';
import {
  countAttempt,
  countOutbox,
  deleteSentActions,
  extendWait,
  isAcknowledged,
  ping,
  lockStaleActions,
} from './sql/outbox.sql.js';
import { claimOverdueRuns, countActiveRuns } from './sql/runs.sql.js';
import type { Statement } from './sql/statement.js';
import { tryStep } from './sql/try-step.sql.js';
import { writeStep } from './sql/write-step.sql.js';

/** The run row a step is decided on. */
export interface LockedRun {
  id: string;
  status: string;
  state: RunState;
  flowVersionId: string;
  stepCount: number;
  callConnectionId: string | null;
  /** A test call's run: its actions go to the test-call emulator, never to ACS. */
  test: boolean;
  /** Test runs: the simulated clock minus the real one (ms). */
  clockOffsetMs: number;
  /** When the run started: its steps' partition key. */
  startedAt: Date;
}

/** What one step writes. */
export interface StepWrite {
  state: RunState;
  /** Deadline column (ms epoch) derived from state.awaiting, or null. */
  deadline: number | null;
  eventId: string;
  eventType: string;
  /** The applied event (or the run's trigger), stored so a run can be replayed. */
  event?: unknown;
  /** The applied event's operation context. */
  operationContext?: string;
  receivedAt: number;
  trace: TraceEntry[];
  /** Every action (incl. `end`), for the step record. */
  actions: unknown[];
  /** ACS actions for the outbox, in order. */
  outbox: AcsAction[];
  callConnectionId: string | undefined;
  /** The run's variables after the step, if the step changed them. */
  vars: Record<string, string> | undefined;
}

export interface NewRun {
  id: string;
  flowId: string;
  flowVersionId: string;
  version: number;
  direction: 'incoming' | 'outbound';
  fromAddress: string;
  toAddress: string;
  startedBy: string;
  test: boolean;
  clockOffsetMs: number;
}

export interface OutboxRow {
  id: string;
  runId: string;
  action: AcsAction;
  createdAt: Date;
  callConnectionId: string | null;
  attempts: number;
  test: boolean;
  /** The run has applied an event answering this action: ACS got it, only the mark was lost. */
  acknowledged: boolean;
}

export interface OverdueRun {
  id: string;
  test: boolean;
  callConnectionId: string | null;
  awaitingContext: string | null;
}

export type LockedStep<T> =
  | { kind: 'unknown' }
  | { kind: 'duplicate'; run: LockedRun }
  | { kind: 'ended'; run: LockedRun }
  | { kind: 'applied'; run: LockedRun; value: T; seq: number; committedAt: number };

const json = (v: unknown) => JSON.stringify(v);

/** The unique indexes a second start of the same run runs into. */
const DUPLICATE_START = new Set(['Run_pkey', 'RunStep_eventId_runStartedAt_key']);

/**
 * The state as stored: without the interpreter's `recentEventIds` (the last events' ids, most of
 * the row). Here the step records are the dedupe (their event ids are unique) and a redelivered
 * id never reaches `step`, so the list would only be rewritten, never read.
 */
export const asStored = (s: RunState): RunState =>
  s.recentEventIds.length === 0 ? s : { ...s, recentEventIds: [] };

/** The named parameters of a step's statements. */
export function stepParams(
  runId: string,
  runStartedAt: Date | number,
  seq: number,
  write: StepWrite,
  now: number,
  owner: string | null = null,
): StepParams {
  const s = write.state;
  return {
    owner,
    runId,
    runStartedAt: utc(runStartedAt),
    state: json(asStored(s)),
    status: s.status,
    endReason: s.endReason ?? null,
    // Inside a subflow the run is, for its own flow, on the node that called it (the trace
    // entries carry the subflow's nodes with their frames).
    currentNodeId: s.frames?.[0]?.nodeId ?? s.currentNodeId ?? null,
    awaitingContext: (s.status === 'running' && s.awaiting?.operationContext) || null,
    deadline: write.deadline === null ? null : utc(write.deadline),
    seq,
    now: utc(now),
    callConnectionId: write.callConnectionId ?? null,
    correlationId: s.call.correlationId,
    eventId: write.eventId,
    eventType: write.eventType,
    event: json(write.event ?? null),
    operationContext: write.operationContext ?? null,
    trace: json(write.trace),
    actions: json(write.actions),
    vars: write.vars === undefined ? null : json(write.vars),
    receivedAt: utc(write.receivedAt),
    actionIds: write.outbox.map((a) => a.id),
    actionContexts: write.outbox.map((a) => a.operationContext),
    outbox: write.outbox.map(json),
    ...pathParams(write.trace),
  };
}

/** The step's additions to the run's path, as write-step's parameters. */
function pathParams(trace: readonly TraceEntry[]): Pick<StepParams, 'nodesEntered' | 'edgesTaken'> {
  const path = stepPath(trace);
  return { nodesEntered: path.nodes, edgesTaken: path.edges };
}

const query = <P>(client: pg.ClientBase | pg.Pool, s: Statement<P>, params: P) =>
  client.query({ name: s.name, text: s.text, values: s.values(params) });

/**
 * Runs the runtime's statements (engine/src/runtime/sql, one module each) on its `pg` pools.
 * Transactions are explicit here; what to write is decided by the callers (StepApplier).
 */
@Injectable()
export class RuntimeRepository {
  constructor(private readonly db: RuntimeDb) {}

  get pool(): pg.Pool {
    return this.db.pool;
  }

  /**
   * Locks the run (by id, else by call connection id) in a transaction, tells whether the event
   * is new, lets `decide` compute the step on the locked row and commits what it returns (null:
   * not this run's event — treated as unknown).
   */
  async lockedStep<T>(
    route: { runId?: string; callConnectionId?: string },
    eventId: string,
    decide: (run: LockedRun) => Promise<{ write: StepWrite; value: T } | null>,
  ): Promise<LockedStep<T>> {
    const client = await this.pool.connect();
    let ok = false;
    const done = async (result: LockedStep<T>) => {
      await client.query('ROLLBACK');
      ok = true;
      return result;
    };
    try {
      // The pool pipelines: BEGIN and the lock go out together, one round trip.
      const [, res] = await Promise.all([
        client.query('BEGIN'),
        route.runId
          ? query(client, lockRunById, { runId: route.runId, eventId })
          : query(client, lockRunByConnection, {
              callConnectionId: route.callConnectionId ?? '',
              eventId,
            }),
      ]);
      const row = res.rows[0] as (LockedRun & { fresh: boolean }) | undefined;
      if (!row) return await done({ kind: 'unknown' });
      const { fresh, ...run } = row;
      if (run.status !== 'running') return await done({ kind: 'ended', run });
      if (!fresh) return await done({ kind: 'duplicate', run });
      const decided = await decide(run);
      if (!decided) return await done({ kind: 'unknown' });
      const now = Date.now();
      // The write and COMMIT go out together (one round trip). Should the write fail, Postgres
      // answers the COMMIT with a rollback and the write's error rejects this.
      await Promise.all([
        query(
          client,
          writeStep,
          stepParams(run.id, run.startedAt, run.stepCount, decided.write, now, this.db.instance),
        ),
        client.query('COMMIT'),
      ]);
      ok = true;
      return {
        kind: 'applied',
        run,
        value: decided.value,
        seq: run.stepCount,
        committedAt: now,
      };
    } finally {
      if (!ok) await client.query('ROLLBACK').catch(() => undefined);
      client.release(!ok);
    }
  }

  /**
   * try-step on its own: one statement is one transaction (autocommit), so no BEGIN or COMMIT
   * around it. The commit time if the step was applied; undefined if the run moved on, ended,
   * or the event id is known (nothing written).
   */
  async tryStep(run: LockedRun, write: StepWrite): Promise<number | undefined> {
    const now = Date.now();
    const client = await this.pool.connect();
    let broken = false;
    try {
      const res = await query(
        client,
        tryStep,
        stepParams(run.id, run.startedAt, run.stepCount, write, now, this.db.instance),
      );
      return res.rowCount === 1 ? now : undefined;
    } catch (e) {
      // A copy of this event id applied at this very moment (unique violation; the statement
      // wrote nothing): the locking path tells a duplicate apart. The connection is fine.
      if ((e as { code?: unknown }).code === '23505') return undefined;
      broken = true;
      throw e;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Inserts a new run with its first step and actions. `created` is false when the run exists
   * already (a redelivered IncomingCall: same event, same run id).
   */
  async insertRun(
    run: NewRun,
    write: StepWrite,
  ): Promise<{ created: boolean; committedAt: number }> {
    const now = Date.now();
    const client = await this.pool.connect();
    let broken = false;
    try {
      await query(client, insertRun, {
        ...stepParams(run.id, now, 0, write, now, this.db.instance),
        flowId: run.flowId,
        flowVersionId: run.flowVersionId,
        version: run.version,
        direction: run.direction,
        fromAddress: run.fromAddress,
        toAddress: run.toAddress,
        startedBy: run.startedBy,
        test: run.test,
        clockOffsetMs: run.clockOffsetMs,
      });
      return { created: true, committedAt: now };
    } catch (e) {
      const err = e as { code?: unknown; constraint?: unknown };
      // A redelivered IncomingCall: its run id is derived from the event id (runIdForEvent), so
      // the copy collides with the run it started (or, started in the same millisecond, with
      // its first step's event id).
      if (err.code === '23505' && DUPLICATE_START.has(String(err.constraint))) {
        return { created: false, committedAt: now };
      }
      broken = true;
      throw e;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Takes sent actions out of the outbox. Without a client, on the hint pool (synchronous_commit
   * off): a "sent" mark is only a hint for the dispatcher — losing one causes a resend with the
   * same Repeatability-Request-ID, which ACS ignores. Steps always commit synchronously.
   */
  async markSent(ids: string[], client?: pg.PoolClient): Promise<void> {
    if (ids.length === 0) return;
    await query(client ?? this.db.hintPool, deleteSentActions, { ids });
  }

  /** See isAcknowledged (on the dispatcher's transaction). */
  async isAcknowledged(id: string, client: pg.PoolClient): Promise<boolean> {
    const r = await query(client, isAcknowledged, { id });
    return (r.rows[0] as { acknowledged?: boolean } | undefined)?.acknowledged === true;
  }

  /** See extendWait: a late send's wait starts when it was sent. */
  async extendWait(id: string, client: pg.PoolClient): Promise<void> {
    await query(client, extendWait, { id });
  }

  async markAttempt(id: string, error: string, client?: pg.PoolClient): Promise<void> {
    await query(client ?? this.pool, countAttempt, { id, error: error.slice(0, 1000) });
  }

  /**
   * Unsent actions older than the grace period, locked (SKIP LOCKED) for the duration of
   * `send`: another replica's dispatcher skips them, so no action is sent by two replicas.
   */
  async withStaleOutbox(
    graceMs: number,
    limit: number,
    pending: string[],
    send: (rows: OutboxRow[], client: pg.PoolClient) => Promise<void>,
  ): Promise<number> {
    const client = await this.pool.connect();
    let ok = false;
    try {
      await client.query('BEGIN');
      const res = await query(client, lockStaleActions, {
        graceMs,
        limit,
        owner: this.db.instance,
        pending,
      });
      const rows = res.rows as OutboxRow[];
      if (rows.length > 0) await send(rows, client);
      await client.query('COMMIT');
      ok = true;
      return rows.length;
    } finally {
      if (!ok) await client.query('ROLLBACK').catch(() => undefined);
      client.release(!ok);
    }
  }

  /** Claims running runs whose deadline passed, pushing it out by `leaseMs` (one replica each). */
  async claimOverdue(limit: number, leaseMs: number): Promise<OverdueRun[]> {
    return (await query(this.pool, claimOverdueRuns, { limit, leaseMs })).rows as OverdueRun[];
  }

  async ping(): Promise<void> {
    await query(this.pool, ping, {});
  }

  async outboxBacklog(): Promise<number> {
    return ((await query(this.pool, countOutbox, {})).rows[0] as { n: number }).n;
  }

  /** Running runs, real and test. */
  async activeRuns(): Promise<{ real: number; test: number }> {
    return (await query(this.pool, countActiveRuns, {})).rows[0] as { real: number; test: number };
  }
}
