import { Injectable } from '@nestjs/common';
import pg from 'pg';
import { RuntimeDb, utc } from '../runtime/runtime-db.js';
import type { Statement } from '../runtime/sql/statement.js';
import {
  type DeletedRows,
  deleteDeadLetters,
  deleteEndedRunsStarted,
  deleteEndedTestRuns,
  deleteRollupHours,
  liveRunStarted,
  stepPartitions,
} from './sql/retention.sql.js';
import { DAY_MS, partitionName, STEP_TABLE, wallTime } from './step-partitions.js';

/** Runs deleted per statement: short transactions, each lock held briefly. */
const BATCH = 1000;

/**
 * How long creating or dropping a partition may wait for its lock on the step table before it
 * gives up (and is tried again): while it waits, every new step queues behind it.
 */
const DDL_LOCK_TIMEOUT_MS = 50;
/** Tries of a partition drop within one round before it is left for the next. */
const DDL_ATTEMPTS = 10;

/** The retention rounds' advisory-lock key (one replica prunes at a time). */
export const RETENTION_LOCK = 7_312_480_211;

const query = <P>(client: pg.ClientBase, s: Statement<P>, params: P) =>
  client.query({ name: s.name, text: s.text, values: s.values(params) });

const ident = (name: string) => pg.escapeIdentifier(name);

/** The outcome of creating a partition. */
export type Created = 'created' | 'exists' | 'refused' | 'busy';

/**
 * Retention's database work, on one connection of the runtime's pool held for a round: the
 * advisory lock is the connection's, so only one replica prunes at a time.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly db: RuntimeDb) {}

  /**
   * Runs `work` holding the retention lock on one connection; undefined (and `work` not run)
   * when another replica holds it.
   */
  async exclusively<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T | undefined> {
    const client = await this.db.pool.connect();
    let broken = false;
    try {
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
        RETENTION_LOCK,
      ]);
      if (!got.rows[0]?.ok) return undefined;
      try {
        return await work(client);
      } finally {
        await client
          .query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK])
          .catch(() => (broken = true));
      }
    } catch (e) {
      broken = true;
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async partitions(client: pg.ClientBase): Promise<string[]> {
    return (await query(client, stepPartitions, {})).rows.map((r: { name: string }) => r.name);
  }

  /**
   * Creates the partition of one day. `exists`: it was there already (another replica made it
   * since this one listed them). `refused`: the default partition already holds steps of that
   * day (Postgres will not move them), so they stay there and are pruned row by row. `busy`:
   * the step table's lock was not to be had within DDL_LOCK_TIMEOUT_MS (tried again next round;
   * DAYS_AHEAD leaves a week for that).
   */
  async createPartition(client: pg.ClientBase, day: number): Promise<Created> {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL lock_timeout = '${DDL_LOCK_TIMEOUT_MS}ms'`);
      await client.query(
        `CREATE TABLE ${ident(partitionName(day))} PARTITION OF ${ident(STEP_TABLE)}
         FOR VALUES FROM ('${wallTime(day)}') TO ('${wallTime(day + DAY_MS)}')`,
      );
      await client.query('COMMIT');
      return 'created';
    } catch (e) {
      await client.query('ROLLBACK');
      const code = (e as { code?: string }).code;
      if (code === '55P03') return 'busy';
      // 42P07: duplicate table. 23514: a row of the default partition would violate the new
      // partition's bounds.
      if (code === '42P07') return 'exists';
      if (code === '23514') return 'refused';
      throw e;
    }
  }

  /** Whether a run that started in `[from, to)` is still running. */
  async liveRunStarted(client: pg.ClientBase, from: number, to: number): Promise<boolean> {
    const res = await query(client, liveRunStarted, { from: utc(from), to: utc(to) });
    return (res.rows[0] as { live: boolean }).live;
  }

  /**
   * Drops a step partition. A drop locks the whole step table for a moment, so it waits at most
   * DDL_LOCK_TIMEOUT_MS for in-flight steps instead of queueing every new step behind it, and
   * tries again a few times; false when it gave up (busy: tried again next round).
   */
  async dropPartition(client: pg.ClientBase, name: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL lock_timeout = '${DDL_LOCK_TIMEOUT_MS}ms'`);
        await client.query(`DROP TABLE IF EXISTS ${ident(name)}`);
        await client.query('COMMIT');
        return true;
      } catch (e) {
        await client.query('ROLLBACK');
        // 55P03: lock_not_available (the timeout). Under steady load a step holds the table
        // most of the time; a gap comes soon.
        if ((e as { code?: string }).code !== '55P03') throw e;
        if (attempt === DDL_ATTEMPTS) return false;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  /** Deletes ended runs started in [from, before) a batch at a time, with their rows. */
  async deleteEndedRunsStarted(
    client: pg.ClientBase,
    from: number | '-infinity',
    before: number,
    withSteps: boolean,
  ): Promise<DeletedRows> {
    return this.batched(client, deleteEndedRunsStarted, {
      from: from === '-infinity' ? from : utc(from),
      before: utc(before),
      withSteps,
      limit: BATCH,
    });
  }

  /** Deletes ended test runs that ended before `before`, with their rows. */
  deleteEndedTestRuns(client: pg.ClientBase, before: number): Promise<DeletedRows> {
    return this.batched(client, deleteEndedTestRuns, {
      from: '-infinity',
      before: utc(before),
      withSteps: true,
      limit: BATCH,
    });
  }

  async deleteRollupHours(client: pg.ClientBase, before: number): Promise<number> {
    return (await query(client, deleteRollupHours, { before: utc(before) })).rowCount ?? 0;
  }

  async deleteDeadLetters(client: pg.ClientBase, before: number): Promise<number> {
    return (await query(client, deleteDeadLetters, { before: utc(before) })).rowCount ?? 0;
  }

  private async batched<P>(
    client: pg.ClientBase,
    s: Statement<P>,
    params: P,
  ): Promise<DeletedRows> {
    const total: DeletedRows = { runs: 0, steps: 0, outbox: 0 };
    for (;;) {
      const n = (await query(client, s, params)).rows[0] as DeletedRows;
      total.runs += n.runs;
      total.steps += n.steps;
      total.outbox += n.outbox;
      if (n.runs < BATCH) return total;
    }
  }
}
