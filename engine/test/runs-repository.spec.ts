import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunState } from '@switchboard/flow';
import { loadConfig } from '../src/config/config.js';
import { RunCache } from '../src/runtime/run-cache.js';
import { RuntimeDb } from '../src/runtime/runtime-db.js';
import {
  type LockedRun,
  RuntimeRepository,
  type StepWrite,
} from '../src/runtime/runtime.repository.js';
import { StepApplier } from '../src/runtime/step-applier.js';
import { useTestDatabase } from './database.js';

/**
 * The hot path's one-round-trip step on a copy of the run (try-step): applied only when the
 * copy is current; a stale copy, an ended run or a known event id fall back to locking the row.
 */
describe('step applier: stepping a remembered copy of the run', () => {
  const databaseUrl = useTestDatabase();
  let runsDb: RuntimeDb;
  let repo: RuntimeRepository;
  let cache: RunCache;
  let applier: StepApplier;
  let db: pg.Client;
  beforeAll(async () => {
    runsDb = new RuntimeDb(databaseUrl(), loadConfig({}));
    repo = new RuntimeRepository(runsDb);
    cache = new RunCache();
    applier = new StepApplier(repo, cache);
    db = new pg.Client({ connectionString: databaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await runsDb?.onModuleDestroy();
  });

  const runId = randomUUID();
  const state = (n: number, status: RunState['status'] = 'running'): RunState =>
    ({
      runId,
      status,
      seq: n,
      stepCount: n,
      call: { direction: 'incoming', from: '+1', to: '+2', correlationId: '' },
      vars: { n: String(n) },
      results: {},
      participants: [],
      attempts: {},
      recentEventIds: ['kept out of the database'],
    }) as unknown as RunState;
  const write = (eventId: string, s: RunState): StepWrite => ({
    state: s,
    deadline: null,
    eventId,
    eventType: 'PlayCompleted',
    receivedAt: Date.now(),
    trace: [],
    actions: [],
    outbox: [],
    callConnectionId: undefined,
    vars: s.vars,
  });
  /** Steps the run; `seen` collects the step counts `decide` was called with. */
  async function apply(eventId: string, cached: LockedRun, status?: RunState['status']) {
    const seen: number[] = [];
    cache.remember(cached);
    const result = await applier.apply({ runId }, eventId, async (run) => {
      seen.push(run.stepCount);
      return { write: write(eventId, state(run.stepCount + 1, status)), value: null };
    });
    return { result, seen };
  }
  /** When the run started (its steps' partition key), once inserted. */
  let startedAt = new Date(0);
  const copy = (stepCount: number, status = 'running'): LockedRun => ({
    id: runId,
    status,
    state: state(stepCount),
    flowVersionId: 'v',
    stepCount,
    callConnectionId: null,
    test: false,
    clockOffsetMs: 0,
    startedAt,
  });
  const stored = async () =>
    (
      await db.query(
        `SELECT r."stepCount", r.state->'vars'->>'n' AS n, r.state->'recentEventIds' AS ids,
                (SELECT array_agg(seq ORDER BY seq) FROM "RunStep" WHERE "runId" = r.id) AS seqs,
                (SELECT count(DISTINCT "eventId")::int FROM "RunStep" WHERE "runId" = r.id AND seq > 0) AS events
         FROM "Run" r WHERE r.id = $1`,
        [runId],
      )
    ).rows[0] as { stepCount: number; n: string; ids: string[]; seqs: number[]; events: number };

  it('applies on a current copy in one go, falls back on a stale one, never steps twice', async () => {
    const inserted = await repo.insertRun(
      {
        id: runId,
        flowId: 'f',
        flowVersionId: 'v',
        version: 1,
        direction: 'incoming',
        fromAddress: '+1',
        toAddress: '+2',
        startedBy: 'test',
        test: false,
        clockOffsetMs: 0,
      },
      write(`start:${runId}`, state(1)),
    );
    startedAt = new Date(inserted.committedAt);
    // Current copy: stepped once, on the copy.
    let r = await apply('e1', copy(1));
    expect(r.result.kind).toBe('applied');
    expect(r.seen).toEqual([1]);
    expect(await stored()).toMatchObject({ stepCount: 2, n: '2', ids: [], seqs: [0, 1] });

    // Stale copy (another replica stepped meanwhile): nothing written by the try, then the
    // locked row is stepped.
    r = await apply('e2', copy(1));
    expect(r.result.kind).toBe('applied');
    expect(r.seen).toEqual([1, 2]);
    expect(await stored()).toMatchObject({ stepCount: 3, n: '3', seqs: [0, 1, 2], events: 2 });

    // A redelivered event id on a current copy: a duplicate, nothing written.
    r = await apply('e2', copy(3));
    expect(r.result.kind).toBe('duplicate');
    expect(await stored()).toMatchObject({ stepCount: 3, seqs: [0, 1, 2], events: 2 });

    // A copy whose start time (the step partition it names) is off: the try writes nothing
    // rather than look for the event id in the wrong partition; the locked row knows it is a
    // duplicate.
    r = await apply('e2', { ...copy(3), startedAt: new Date(startedAt.getTime() + 1) });
    expect(r.result.kind).toBe('duplicate');
    expect(r.seen).toEqual([3]);
    expect(await stored()).toMatchObject({ stepCount: 3, seqs: [0, 1, 2], events: 2 });

    // Concurrent deliveries of one new event on current copies: one step.
    const both = await Promise.all([apply('e3', copy(3)), apply('e3', copy(3))]);
    expect(both.map((b) => b.result.kind).sort()).toEqual(['applied', 'duplicate']);
    expect(await stored()).toMatchObject({ stepCount: 4, seqs: [0, 1, 2, 3], events: 3 });

    // Concurrent different events on the same copy: both applied, one after the other.
    const two = await Promise.all([apply('e4', copy(4)), apply('e5', copy(4))]);
    expect(two.map((b) => b.result.kind)).toEqual(['applied', 'applied']);
    expect(await stored()).toMatchObject({ stepCount: 6, seqs: [0, 1, 2, 3, 4, 5], events: 5 });

    // The run ends; a copy that still says running changes nothing.
    r = await apply('e6', copy(6), 'ended');
    expect(r.result.kind).toBe('applied');
    r = await apply('e7', copy(7));
    expect(r.result.kind).toBe('ended');
    expect(await stored()).toMatchObject({ stepCount: 7, events: 6 });
  });
});
