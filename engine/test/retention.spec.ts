import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { migrate } from '../src/database/migrator.js';
import { RETENTION_LOCK } from '../src/retention/retention.repository.js';
import { RetentionService } from '../src/retention/retention.service.js';
import { DAY_MS, partitionName, utcDay, wallTime } from '../src/retention/step-partitions.js';
import { waitFor } from './calls.js';
import { useTestDatabase } from './database.js';
import { useEngine } from './engine.js';

const STEP_PARTITIONS = '20261211000000_step_partitions';

/**
 * Run retention on a real engine and its Postgres: runs are written straight into the tables (an
 * engine cannot start a run 40 days ago), then the engine's own retention round prunes them.
 */
describe('run retention (SWITCHBOARD_RUN_RETENTION_DAYS, default 30)', () => {
  const t = useEngine();
  let db: pg.Client;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: t.databaseUrl, options: '-c TimeZone=UTC' });
    await db.connect();
    // The engine's own first round (a second after start) would otherwise prune what a test
    // wrote before that test's own round ran; the next is 10 minutes away.
    await waitFor(async () => {
      const metrics = await (await t.request('GET', '/metrics', { as: 'anonymous' })).text();
      return /^switchboard_retention_last_run_timestamp_seconds [1-9]/m.test(metrics);
    }, "the engine's first retention round");
  });
  afterAll(async () => {
    await db?.end();
  });

  const now = Date.now();
  const today = utcDay(now);
  const iso = (ms: number) => new Date(ms).toISOString();
  const service = () => t.engine.app.get(RetentionService);
  /** The engine's own first round may hold the lock at this moment: try again. */
  const prune = (at = now) =>
    waitFor(async () => await service().prune(at), 'the retention lock', 10_000);

  /** A run with three steps and one unsent action, started at `startedAt`. */
  async function run(startedAt: number, status: 'running' | 'ended', test = false) {
    const id = randomUUID();
    await db.query(
      `INSERT INTO "Run" (id, "flowId", "flowVersionId", version, direction, status, state,
         "startedAt", "updatedAt", "endedAt", "stepCount", test)
       VALUES ($1, 'f', 'v', 1, 'incoming', $2, '{}', $3::timestamp(3), $3::timestamp(3),
         CASE WHEN $2 = 'ended' THEN $3::timestamp(3) + interval '5 minutes' END, 3, $4)`,
      [id, status, iso(startedAt), test],
    );
    for (let seq = 0; seq < 3; seq++) {
      await db.query(
        `INSERT INTO "RunStep" ("runId", seq, "eventId", "eventType", trace, actions, "receivedAt",
           "runStartedAt")
         VALUES ($1, $2, $3, 'PlayCompleted', '[]', '[]', $4::timestamp(3), $4::timestamp(3))`,
        [id, seq, `${id}-e${seq}`, iso(startedAt)],
      );
    }
    await db.query(
      `INSERT INTO "OutboxAction" (id, "runId", "stepSeq", ord, "operationContext", action)
       VALUES ($1, $2, 2, 0, $3, '{}')`,
      [`${id}:2`, id, `${id}:2`],
    );
    return id;
  }
  const count = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]!.n;
  const rowsOf = async (id: string) => ({
    run: await count(`"Run" WHERE id = $1`, [id]),
    steps: await count(`"RunStep" WHERE "runId" = $1`, [id]),
    outbox: await count(`"OutboxAction" WHERE "runId" = $1`, [id]),
  });
  const partitions = async () =>
    (
      await db.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = '"RunStep"'::regclass`,
      )
    ).rows.map((r) => r.name);
  /** A partition as the engine would have made it on that day. */
  const partitionFor = (day: number) =>
    db.query(
      `CREATE TABLE IF NOT EXISTS "${partitionName(day)}" PARTITION OF "RunStep"
       FOR VALUES FROM ('${wallTime(day)}') TO ('${wallTime(day + DAY_MS)}')`,
    );

  const whole = today - 40 * DAY_MS; // every run ended: dropped whole
  const held = today - 35 * DAY_MS; // one run still live: kept, its ended runs' rows deleted
  const unpartitioned = today - 50 * DAY_MS; // no partition: its steps are in the default one
  let ids: Record<string, string>;

  it('creates the partitions ahead at start: today and the next 7 days', async () => {
    const names = await partitions();
    for (let i = 0; i <= 7; i++) expect(names).toContain(partitionName(today + i * DAY_MS));
    expect(names).toContain('RunStep_default');
  });

  it('prunes old ended runs with all their rows, drops whole days, never touches live or recent runs', async () => {
    await partitionFor(whole);
    await partitionFor(held);
    ids = {
      whole1: await run(whole + 3_600_000, 'ended'),
      whole2: await run(whole + 20 * 3_600_000, 'ended', true),
      heldEnded: await run(held + 3_600_000, 'ended'),
      heldLive: await run(held + 2 * 3_600_000, 'running'),
      defaultEnded: await run(unpartitioned + 3_600_000, 'ended'),
      recentEnded: await run(now - 29 * DAY_MS, 'ended'),
      recentLive: await run(now - 60_000, 'running'),
    };
    expect(
      await count(`"RunStep_default" WHERE "runId" = $1`, [ids.defaultEnded]),
      'the default partition takes what no partition covers',
    ).toBe(3);
    for (const [hour, flowId] of [
      [whole + 3_600_000, 'f'],
      [today - 31 * DAY_MS + 23 * 3_600_000, 'f'],
      [today - 30 * DAY_MS, 'f'],
      [now - 3_600_000, 'f'],
    ] as const) {
      await db.query(
        `INSERT INTO "PathRollupHour" ("flowId", hour, paths) VALUES ($1, $2::timestamp(3), '[]')`,
        [flowId, iso(utcDay(hour) + (hour % DAY_MS) - (hour % 3_600_000))],
      );
    }
    for (const at of [whole, now]) {
      await db.query(
        `INSERT INTO "DeadLetter" (id, source, "eventType", raw, error, "receivedAt")
         VALUES ($1, 'callback', 'X', '{}', 'e', $2::timestamp(3))`,
        [randomUUID(), iso(at)],
      );
    }

    const report = await prune();
    console.log('retention report', JSON.stringify(report));

    expect(report.cutoff).toBe(iso(today - 30 * DAY_MS));
    expect(report.partitionsDropped).toContain(partitionName(whole));
    expect(report.partitionsHeld).toEqual([partitionName(held)]);
    const names = await partitions();
    expect(names).not.toContain(partitionName(whole));
    expect(names).toContain(partitionName(held));
    const gone = { run: 0, steps: 0, outbox: 0 };
    const kept = { run: 1, steps: 3, outbox: 1 };
    expect(await rowsOf(ids.whole1!)).toEqual(gone);
    expect(await rowsOf(ids.whole2!)).toEqual(gone);
    expect(await rowsOf(ids.heldEnded!)).toEqual(gone);
    expect(await rowsOf(ids.defaultEnded!)).toEqual(gone);
    expect(await rowsOf(ids.heldLive!), 'a live run, however old').toEqual(kept);
    expect(await rowsOf(ids.recentEnded!)).toEqual(kept);
    expect(await rowsOf(ids.recentLive!)).toEqual(kept);
    // The rollup hours before the cutoff go with their runs; the hours after it stay.
    const hours = await db.query<{ hour: Date }>(`SELECT hour FROM "PathRollupHour" ORDER BY hour`);
    expect(hours.rows.map((r) => r.hour.getTime() >= today - 30 * DAY_MS)).toEqual([true, true]);
    expect(await count(`"DeadLetter"`)).toBe(1);
    expect(report.deleted).toMatchObject({ rollupHours: 2, deadLetters: 1 });

    const metrics = await (await t.request('GET', '/metrics', { as: 'anonymous' })).text();
    expect(metrics).toMatch(/^switchboard_retention_partitions_held 1$/m);
    expect(metrics).toMatch(/^switchboard_retention_partitions_dropped_total [1-9]/m);
    expect(metrics).toMatch(/^switchboard_retention_last_run_timestamp_seconds [1-9]/m);
    expect(metrics).toMatch(/^switchboard_retention_rows_deleted_total\{table="Run"\} [1-9]/m);
  });

  it('drops a held day once its last live run has ended', async () => {
    await db.query(
      `UPDATE "Run" SET status = 'ended', "endedAt" = now() AT TIME ZONE 'UTC' WHERE id = $1`,
      [ids.heldLive],
    );
    const report = await prune();
    expect(report.partitionsDropped).toEqual([partitionName(held)]);
    expect(report.partitionsHeld).toEqual([]);
    expect(await partitions()).not.toContain(partitionName(held));
    expect(await rowsOf(ids.heldLive!)).toEqual({ run: 0, steps: 0, outbox: 0 });
    expect(await rowsOf(ids.recentLive!)).toEqual({ run: 1, steps: 3, outbox: 1 });
  });

  it('one replica prunes at a time: a round while another holds the lock does nothing', async () => {
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      // Wait out the engine's own round, then hold the lock as another replica would.
      await waitFor(
        async () =>
          (
            await other.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
              RETENTION_LOCK,
            ])
          ).rows[0]!.ok || undefined,
        'the retention lock',
      );
      const old = await run(today - 45 * DAY_MS, 'ended');
      expect(await service().prune(now)).toBeUndefined();
      expect((await rowsOf(old)).run).toBe(1);
      await other.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
      await prune();
      expect((await rowsOf(old)).run).toBe(0);
    } finally {
      await other.end();
    }
  });

  it('steps no partition covers wait in the default partition; their day is not created over them', async () => {
    // A run "started" nine days ahead (an engine's clock far off): beyond the partitions made
    // ahead, so its steps go to the default partition. Two days on, that day is due to be made
    // ahead, which Postgres refuses while the default partition holds rows of it.
    const ahead = today + 9 * DAY_MS;
    const id = await run(ahead + 3_600_000, 'running');
    expect(await count(`"RunStep_default" WHERE "runId" = $1`, [id])).toBe(3);
    const report = await prune(now + 2 * DAY_MS);
    expect(report.partitionsRefused).toEqual([partitionName(ahead)]);
    expect(await partitions()).not.toContain(partitionName(ahead));
    expect(await rowsOf(id)).toEqual({ run: 1, steps: 3, outbox: 1 });
    await db.query(`DELETE FROM "RunStep" WHERE "runId" = $1`, [id]);
    await db.query(`DELETE FROM "OutboxAction" WHERE "runId" = $1`, [id]);
    await db.query(`DELETE FROM "Run" WHERE id = $1`, [id]);
  });

  it('the window moves on by whole UTC days', async () => {
    // Two days on: the recent run (29 days old) is now past the window, the live one is not.
    const report = await prune(now + 2 * DAY_MS);
    expect(report.cutoff).toBe(iso(today + 2 * DAY_MS - 30 * DAY_MS));
    expect(await rowsOf(ids.recentEnded!)).toEqual({ run: 0, steps: 0, outbox: 0 });
    expect(await rowsOf(ids.recentLive!)).toEqual({ run: 1, steps: 3, outbox: 1 });
  });
});

describe('the migration that partitions the step table', () => {
  const url = useTestDatabase({ migrate: false });

  it('moves the existing steps into day partitions of their runs, keeping every column', async () => {
    const all = loadConfig({}).migrationsDir;
    const before = mkdtempSync(join(tmpdir(), 'switchboard-migrations-'));
    for (const name of readdirSync(all)) {
      if (name < STEP_PARTITIONS) cpSync(join(all, name), join(before, name), { recursive: true });
    }
    await migrate(url(), before);
    const db = new pg.Client({ connectionString: url(), options: '-c TimeZone=UTC' });
    await db.connect();
    try {
      const day = utcDay(Date.now()) - 3 * DAY_MS;
      const runs = [
        { id: randomUUID(), startedAt: new Date(day + 1000) },
        { id: randomUUID(), startedAt: new Date(day - DAY_MS + 5000) },
      ];
      for (const r of runs) {
        await db.query(
          `INSERT INTO "Run" (id, "flowId", "flowVersionId", version, direction, status, state,
             "startedAt", "stepCount") VALUES ($1, 'f', 'v', 1, 'incoming', 'ended', '{}', $2, 2)`,
          [r.id, r.startedAt.toISOString()],
        );
        for (const seq of [0, 1]) {
          await db.query(
            `INSERT INTO "RunStep" ("runId", seq, "eventId", "eventType", event, "nodeId", trace,
               actions, vars, "operationContext", "receivedAt", "committedAt")
             VALUES ($1, $2, $3, 'PlayCompleted', '{"a":1}', 'menu', '[{"kind":"enter"}]', '[]',
               '{"v":"1"}', $4, $5, $5)`,
            [
              r.id,
              seq,
              `${r.id}:e${seq}`,
              `${r.id}:${seq}`,
              new Date(r.startedAt.getTime() + seq * 10_000).toISOString(),
            ],
          );
        }
      }
      const columns = `"runId", seq, "eventId", "eventType", event, "nodeId", trace, actions, vars,
        "operationContext", "receivedAt", "committedAt"`;
      const old = (await db.query(`SELECT ${columns} FROM "RunStep" ORDER BY "runId", seq`)).rows;

      expect((await migrate(url(), all)).applied).toContain(STEP_PARTITIONS);

      expect(
        (await db.query(`SELECT ${columns} FROM "RunStep" ORDER BY "runId", seq`)).rows,
      ).toEqual(old);
      const placed = await db.query<{ part: string; runId: string; ok: boolean }>(
        `SELECT s.tableoid::regclass::text AS part, s."runId", s."runStartedAt" = r."startedAt" AS ok
         FROM "RunStep" s JOIN "Run" r ON r.id = s."runId"`,
      );
      for (const row of placed.rows) {
        const run = runs.find((r) => r.id === row.runId)!;
        expect(row.part.replace(/"/g, '')).toBe(partitionName(utcDay(run.startedAt.getTime())));
        expect(row.ok).toBe(true);
      }
      const names = (
        await db.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = '"RunStep"'::regclass`,
        )
      ).rows.map((r) => r.name);
      for (let i = 0; i <= 7; i++)
        expect(names).toContain(partitionName(utcDay(Date.now()) + i * DAY_MS));
    } finally {
      await db.end();
      rmSync(before, { recursive: true, force: true });
    }
  });
});
