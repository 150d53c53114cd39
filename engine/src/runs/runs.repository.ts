import { Injectable } from '@nestjs/common';
import type { AcsAction, RunState, TraceEntry } from '@switchboard/flow';
import type pg from 'pg';
import { RunsDb, utc } from './runs.db.js';

/** The locked run row the hot path steps. */
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
}

/** What one step writes, in the same transaction as the lock. */
export interface StepWrite {
  state: RunState;
  /** Deadline column (ms epoch) derived from state.awaiting, or null. */
  deadline: number | null;
  eventId: string;
  eventType: string;
  /** The applied event (or the run's trigger), stored so a run can be replayed. */
  event?: unknown;
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
  /**
   * The run has applied an event carrying this action's operationContext (its callback or its
   * HTTP answer): ACS got it, only the "sent" mark was lost.
   */
  acknowledged: boolean;
}

export type ApplyResult<T> =
  | { kind: 'unknown' }
  | { kind: 'duplicate'; run: LockedRun }
  | { kind: 'ended'; run: LockedRun }
  | { kind: 'applied'; run: LockedRun; value: T; seq: number; committedAt: number };

/**
 * Locks the run and says whether the event is new. Under the row lock no other step of this run
 * can commit, so "no step has this event id" stays true until this transaction writes its own
 * (the unique index settles any other race: the write fails, nothing is applied twice).
 */
const LOCK_BY_ID = `SELECT id, status, state, "flowVersionId", "stepCount", "callConnectionId", test, "clockOffsetMs"::float8 AS "clockOffsetMs",
  NOT EXISTS (SELECT 1 FROM "RunStep" WHERE "eventId" = $2) AS fresh
FROM "Run" WHERE id = $1 FOR UPDATE`;

const LOCK_BY_CONNECTION = `SELECT id, status, state, "flowVersionId", "stepCount", "callConnectionId", test, "clockOffsetMs"::float8 AS "clockOffsetMs",
  NOT EXISTS (SELECT 1 FROM "RunStep" WHERE "eventId" = $2) AS fresh
FROM "Run" WHERE "callConnectionId" = $1 FOR UPDATE`;

/** Run update, step record and outbox rows: one statement, one round trip. */
const WRITE_STEP = `WITH u AS (
  UPDATE "Run" SET state = $2, status = $3, "endReason" = $4, "currentNodeId" = $5,
    deadline = $6, "stepCount" = $7 + 1, "updatedAt" = $8,
    "endedAt" = CASE WHEN $3::text = 'ended' THEN $8::timestamp(3) ELSE NULL END,
    "callConnectionId" = COALESCE("callConnectionId", $9),
    "correlationId" = COALESCE("correlationId", NULLIF($10, ''))
  WHERE id = $1),
s AS (
  INSERT INTO "RunStep" ("runId", seq, "eventId", "eventType", event, "nodeId", trace, actions, "receivedAt", "committedAt", vars)
  VALUES ($1, $7, $11, $12, $17, $5, $13, $14, $15, $8, $18))
INSERT INTO "OutboxAction" (id, "runId", "stepSeq", ord, action, "createdAt")
SELECT a->>'id', $1, $7, (o - 1)::int, a, $8 FROM jsonb_array_elements($16::jsonb) WITH ORDINALITY AS t(a, o)`;

/**
 * The whole step in one statement, for a caller whose copy of the run is current: the run moves
 * on only if it is still running at `stepCount` $7 (no other step committed meanwhile — a
 * concurrent one holds the row lock, and this re-checks the row once it is released) and the
 * event id is new; the event id, the step record and the outbox rows are written only with it.
 * A racing copy of the same event id fails the step insert (unique event id), and with it the
 * whole statement; the caller takes the locking path. Its row count (no rows are sent back) is
 * the number of step records written: 1 applied, 0 nothing written.
 */
const TRY_STEP = `WITH u AS (
  UPDATE "Run" SET state = $2, status = $3, "endReason" = $4, "currentNodeId" = $5,
    deadline = $6, "stepCount" = $7 + 1, "updatedAt" = $8,
    "endedAt" = CASE WHEN $3::text = 'ended' THEN $8::timestamp(3) ELSE NULL END,
    "callConnectionId" = COALESCE("callConnectionId", $9),
    "correlationId" = COALESCE("correlationId", NULLIF($10, ''))
  WHERE id = $1 AND status = 'running' AND "stepCount" = $7
    AND NOT EXISTS (SELECT 1 FROM "RunStep" WHERE "eventId" = $11)
  RETURNING id),
o AS (
  INSERT INTO "OutboxAction" (id, "runId", "stepSeq", ord, action, "createdAt")
  SELECT a->>'id', u.id, $7::int, (o - 1)::int, a, $8::timestamp(3)
  FROM u, jsonb_array_elements($16::jsonb) WITH ORDINALITY AS t(a, o))
INSERT INTO "RunStep" ("runId", seq, "eventId", "eventType", event, "nodeId", trace, actions, "receivedAt", "committedAt", vars)
SELECT id, $7::int, $11, $12::text, $17::jsonb, $5::text, $13::jsonb, $14::jsonb, $15::timestamp(3), $8::timestamp(3), $18::jsonb FROM u`;

const INSERT_RUN = `WITH r AS (
  INSERT INTO "Run" (id, "flowId", "flowVersionId", version, direction, status, "endReason", "currentNodeId", state,
    "fromAddress", "toAddress", deadline, "stepCount", "startedAt", "updatedAt", "endedAt", "startedBy", "correlationId",
    test, "clockOffsetMs")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13, CASE WHEN $6::text = 'ended' THEN $13::timestamp(3) ELSE NULL END, $14, NULLIF($15, ''),
    $24, $25)),
s AS (
  INSERT INTO "RunStep" ("runId", seq, "eventId", "eventType", event, "nodeId", trace, actions, "receivedAt", "committedAt", vars)
  VALUES ($1, 0, $16, $17, $22, $8, $18, $19, $20, $13, $23))
INSERT INTO "OutboxAction" (id, "runId", "stepSeq", ord, action, "createdAt")
SELECT a->>'id', $1, 0, (o - 1)::int, a, $13 FROM jsonb_array_elements($21::jsonb) WITH ORDINALITY AS t(a, o)`;

const json = (v: unknown) => JSON.stringify(v);

/**
 * The state as stored: without the interpreter's `recentEventIds` (the last 32 event ids, most
 * of the row). Here the step records are the dedupe (their event ids are unique), and a
 * redelivered id never reaches `step` — so the list would only
 * be rewritten, never read. Stored empty, it keeps the "Run" row small (WAL, HOT updates).
 */
export const asStored = (s: RunState): RunState =>
  s.recentEventIds.length === 0 ? s : { ...s, recentEventIds: [] };
const storedState = (s: RunState) => JSON.stringify(asStored(s));

/** Parameters of WRITE_STEP and TRY_STEP. */
function stepValues(run: LockedRun, write: StepWrite, now: number): unknown[] {
  const s = write.state;
  return [
    run.id,
    storedState(s),
    s.status,
    s.endReason ?? null,
    s.currentNodeId ?? null,
    write.deadline === null ? null : utc(write.deadline),
    run.stepCount,
    utc(now),
    write.callConnectionId ?? null,
    s.call.correlationId,
    write.eventId,
    write.eventType,
    json(write.trace),
    json(write.actions),
    utc(write.receivedAt),
    json(write.outbox),
    json(write.event ?? null),
    write.vars === undefined ? null : json(write.vars),
  ];
}

/**
 * SQL of the call runtime. The hot path (lockAndStep) is one transaction: lock the run and
 * record the event id in one statement, let the caller step, then write the run, the step and
 * the outbox in one statement, commit. With a current copy of the run from the caller it is one
 * round trip instead (TRY_STEP), falling back to the above when the copy is not current.
 */
@Injectable()
export class RunsRepository {
  constructor(private readonly db: RunsDb) {}

  get pool(): pg.Pool {
    return this.db.pool;
  }

  /**
   * Locks the run (by id, else by call connection id), records `eventId` (a duplicate changes
   * nothing), calls `decide` with the locked row, and commits what it returns.
   */
  async lockAndStep<T>(
    route: { runId?: string; callConnectionId?: string },
    eventId: string,
    /** What to write, or null: the event is not this run's to apply (treated as unknown). */
    decide: (
      run: LockedRun,
    ) => Promise<{ write: StepWrite; value: T } | null> | { write: StepWrite; value: T } | null,
    /** The caller's copy of the run as last committed, if it has one: tried first (TRY_STEP). */
    cached?: LockedRun,
  ): Promise<ApplyResult<T>> {
    if (cached && cached.id === route.runId && cached.status === 'running') {
      const decided = await decide(cached);
      if (!decided) return { kind: 'unknown' };
      const { write, value } = decided;
      const committedAt = await this.tryStep(cached, write);
      if (committedAt !== undefined)
        return { kind: 'applied', run: cached, value, seq: cached.stepCount, committedAt };
    }
    const client = await this.pool.connect();
    let ok = false;
    try {
      // The pool pipelines: BEGIN and the lock go out together, one round trip.
      const [, res] = await Promise.all([
        client.query('BEGIN'),
        route.runId
          ? client.query({ name: 'sb_lock_id', text: LOCK_BY_ID, values: [route.runId, eventId] })
          : client.query({
              name: 'sb_lock_cc',
              text: LOCK_BY_CONNECTION,
              values: [route.callConnectionId, eventId],
            }),
      ]);
      const row = res.rows[0] as (LockedRun & { fresh: boolean }) | undefined;
      if (!row) {
        await client.query('ROLLBACK');
        ok = true;
        return { kind: 'unknown' };
      }
      const run: LockedRun = {
        id: row.id,
        status: row.status,
        state: row.state,
        flowVersionId: row.flowVersionId,
        stepCount: row.stepCount,
        callConnectionId: row.callConnectionId,
        test: row.test,
        clockOffsetMs: row.clockOffsetMs,
      };
      if (row.status !== 'running') {
        await client.query('ROLLBACK');
        ok = true;
        return { kind: 'ended', run };
      }
      if (!row.fresh) {
        await client.query('ROLLBACK');
        ok = true;
        return { kind: 'duplicate', run };
      }
      const decided = await decide(run);
      if (!decided) {
        await client.query('ROLLBACK');
        ok = true;
        return { kind: 'unknown' };
      }
      const { write, value } = decided;
      const now = Date.now();
      // The write and COMMIT go out together (one round trip). Should the write fail, Postgres
      // answers the COMMIT with a rollback and the write's error rejects this.
      const values = stepValues(run, write, now);
      await Promise.all([
        client.query({ name: 'sb_write_step', text: WRITE_STEP, values }),
        client.query('COMMIT'),
      ]);
      ok = true;
      return { kind: 'applied', run, value, seq: run.stepCount, committedAt: now };
    } finally {
      if (!ok) await client.query('ROLLBACK').catch(() => undefined);
      client.release(!ok);
    }
  }

  /**
   * TRY_STEP on its own: one statement is one transaction (autocommit), so it needs no BEGIN
   * or COMMIT around it — one message out, one answer back. The commit time if the step was
   * applied; undefined if the run moved on, ended, or the event id is known (nothing written).
   */
  private async tryStep(run: LockedRun, write: StepWrite): Promise<number | undefined> {
    const now = Date.now();
    const client = await this.pool.connect();
    let broken = false;
    try {
      const res = await client.query({
        name: 'sb_try_step',
        text: TRY_STEP,
        values: stepValues(run, write, now),
      });
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
   * Inserts a new run with its first step and actions: one statement, so one transaction
   * (autocommit). `created` is false when the step's event id (an IncomingCall's Event Grid id)
   * was applied before — a redelivered IncomingCall starts no second run.
   */
  async insertRun(
    run: NewRun,
    write: StepWrite,
  ): Promise<{ created: boolean; committedAt: number }> {
    const now = Date.now();
    const s = write.state;
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query({
        name: 'sb_insert_run',
        text: INSERT_RUN,
        values: [
          run.id,
          run.flowId,
          run.flowVersionId,
          run.version,
          run.direction,
          s.status,
          s.endReason ?? null,
          s.currentNodeId ?? null,
          storedState(s),
          run.fromAddress,
          run.toAddress,
          write.deadline === null ? null : utc(write.deadline),
          utc(now),
          run.startedBy,
          s.call.correlationId,
          write.eventId,
          write.eventType,
          json(write.trace),
          json(write.actions),
          utc(write.receivedAt),
          json(write.outbox),
          json(write.event ?? null),
          write.vars === undefined ? null : json(write.vars),
          run.test,
          run.clockOffsetMs,
        ],
      });
      return { created: true, committedAt: now };
    } catch (e) {
      const err = e as { code?: unknown; constraint?: unknown };
      if (err.code === '23505' && err.constraint === 'RunStep_eventId_key') {
        return { created: false, committedAt: now };
      }
      broken = true;
      throw e;
    } finally {
      client.release(broken);
    }
  }

  /** Takes sent actions out of the outbox (it holds only what is still to send). */
  async markSent(ids: string[], client?: pg.PoolClient): Promise<void> {
    if (ids.length === 0) return;
    const mark = {
      name: 'sb_mark_sent',
      text: 'DELETE FROM "OutboxAction" WHERE id = ANY($1)',
      values: [ids],
    };
    if (client) {
      await client.query(mark);
      return;
    }
    // A "sent" mark is only a hint for the dispatcher (losing one causes a resend with the same
    // Repeatability-Request-ID, which ACS ignores), so it need not wait for a WAL flush: one
    // statement on the hint pool (synchronous_commit off). Steps always commit synchronously.
    await this.db.hintPool.query(mark);
  }

  async markAttempt(id: string, error: string, client?: pg.PoolClient): Promise<void> {
    await (client ?? this.pool).query(
      'UPDATE "OutboxAction" SET attempts = attempts + 1, "lastError" = $2 WHERE id = $1',
      [id, error.slice(0, 1000)],
    );
  }

  /**
   * Unsent actions older than the grace period, locked (SKIP LOCKED) for the duration of
   * `send`: another replica's dispatcher skips them, so no action is sent by two replicas.
   */
  async withStaleOutbox(
    graceMs: number,
    limit: number,
    send: (rows: OutboxRow[], client: pg.PoolClient) => Promise<void>,
  ): Promise<number> {
    const client = await this.pool.connect();
    let ok = false;
    try {
      await client.query('BEGIN');
      const res = await client.query(
        `SELECT o.id, o."runId", o.action, o."createdAt", o.attempts, r.test,
                COALESCE(NULLIF(r.state->'call'->>'callConnectionId', ''), r."callConnectionId") AS "callConnectionId",
                EXISTS (SELECT 1 FROM "RunStep" s WHERE s."runId" = o."runId" AND s.seq > o."stepSeq"
                          AND s.event->>'operationContext' = o.action->>'operationContext') AS acknowledged
         FROM "OutboxAction" o JOIN "Run" r ON r.id = o."runId"
         WHERE o."createdAt" < now() - make_interval(secs => $1::double precision / 1000)
         ORDER BY o."createdAt", o."stepSeq", o.ord
         LIMIT $2 FOR UPDATE OF o SKIP LOCKED`,
        [graceMs, limit],
      );
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

  /**
   * Claims running runs whose deadline passed (SKIP LOCKED) and pushes their deadline out by
   * `leaseMs`, so one replica reconciles each; returns what reconciliation needs.
   */
  async claimOverdue(
    limit: number,
    leaseMs: number,
  ): Promise<
    {
      id: string;
      test: boolean;
      callConnectionId: string | null;
      operationContext: string | null;
    }[]
  > {
    const res = await this.pool.query(
      `UPDATE "Run" r SET deadline = now() + make_interval(secs => $2::double precision / 1000)
       FROM (SELECT id FROM "Run" WHERE status = 'running' AND deadline < now()
             ORDER BY deadline LIMIT $1 FOR UPDATE SKIP LOCKED) due
       WHERE r.id = due.id
       RETURNING r.id, r.test, COALESCE(NULLIF(r.state->'call'->>'callConnectionId', ''), r."callConnectionId") AS "callConnectionId",
                 r.state->'awaiting'->>'operationContext' AS "operationContext"`,
      [limit, leaseMs],
    );
    return res.rows as {
      id: string;
      test: boolean;
      callConnectionId: string | null;
      operationContext: string | null;
    }[];
  }

  async outboxBacklog(): Promise<number> {
    const r = await this.pool.query('SELECT count(*)::int AS n FROM "OutboxAction"');
    return (r.rows[0] as { n: number }).n;
  }

  /** Running runs, real and test (through the partial index of running runs). */
  async activeRuns(): Promise<{ real: number; test: number }> {
    const r = await this.pool.query(
      `SELECT count(*) FILTER (WHERE NOT test)::int AS real, count(*) FILTER (WHERE test)::int AS test
       FROM "Run" WHERE status = 'running'`,
    );
    return r.rows[0] as { real: number; test: number };
  }

  /** A published version's document, or a test run's draft snapshot (the ids never collide: UUIDs). */
  async versionDocument(flowVersionId: string): Promise<unknown> {
    const r = await this.pool.query(
      `SELECT document FROM "FlowVersion" WHERE id = $1
       UNION ALL SELECT document FROM "DraftSnapshot" WHERE id = $1`,
      [flowVersionId],
    );
    return (r.rows[0] as { document: unknown } | undefined)?.document;
  }

  /** The run's variables after step `seq` (the last step up to it that changed them). */
  async varsAt(runId: string, seq: number): Promise<Record<string, string>> {
    const r = await this.pool.query(
      `SELECT vars FROM "RunStep" WHERE "runId" = $1 AND seq <= $2 AND vars IS NOT NULL
       ORDER BY seq DESC LIMIT 1`,
      [runId, seq],
    );
    return (r.rows[0] as { vars: Record<string, string> } | undefined)?.vars ?? {};
  }

  /** Steps of a run after `afterSeq`, for the live stream. */
  async stepsAfter(runId: string, afterSeq: number, limit = 100) {
    const r = await this.pool.query(
      `SELECT seq, "eventId", "eventType", event, "nodeId", trace, actions, vars, "receivedAt", "committedAt"
       FROM "RunStep" WHERE "runId" = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [runId, afterSeq, limit],
    );
    return r.rows as StepRow[];
  }
}

export interface StepRow {
  seq: number;
  eventId: string;
  eventType: string;
  event: unknown;
  nodeId: string | null;
  trace: TraceEntry[];
  actions: unknown[];
  vars: Record<string, string> | null;
  receivedAt: Date;
  committedAt: Date;
}
