/**
 * POST /api/flows/{id}/replay over 5,000 recorded calls (BENCH_REPLAY_RUNS) of the example IVR
 * (flow/examples/main-ivr.json), against a changed draft (menu key 2 → Sales), through the real
 * engine over HTTP, in a fresh embedded Postgres. Prints the median of BENCH_REPLAY_REPEAT
 * requests (at least 3) next to the target of 5 s, and the split the engine reports in its
 * Server-Timing header: reading the runs and steps, replaying them, and the rest (JSON, HTTP).
 *
 * The calls are simulated (`simulate` from @switchboard/flow) with seeded random callers
 * (BENCH_REPLAY_SEED, printed): keys at the menu (right, wrong, none), hang-ups, callees that
 * answer, decline, are busy or do not answer, failed plays and answers, clocks over a week in
 * November 2026 (Thanksgiving included), mostly in opening hours. Each call is then stored by the
 * runtime's own code: the start as RuntimeRepository.insertRun stores an incoming call, each
 * callback as a locked step (lockedStep), the rows built by the runtime's stepWrite — trigger at
 * seq 0, events with their operation contexts, traces. Only the start times are set afterwards
 * (the runtime stamps its own clock), and the outbox is emptied as if every action had been sent.
 *
 *   npm run bench -w engine            (after the runtime and runs-list benchmarks)
 *   BENCH_REPLAY_RUNS=5000 BENCH_REPLAY_REPEAT=7 BENCH_REPLAY_SEED=42 npx tsx bench/replay.bench.ts
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileFlow, type FlowDocument } from '@switchboard/flow';
import { median, startBenchEngine } from './bench-engine.js';
import { generateCalls, type GeneratedCall } from './replay-calls.js';

const DEFAULT_RUNS = Number(process.env.BENCH_REPLAY_RUNS ?? 5000);
const DEFAULT_REPEAT = Number(process.env.BENCH_REPLAY_REPEAT ?? 7);
const DEFAULT_SEED = Number(process.env.BENCH_REPLAY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WRITERS = 8;
const TARGET_MS = 5000;
/** Monday 2026-11-23 00:00 in Los Angeles; the calls come in over six days. */
const WEEK = Date.parse('2026-11-23T08:00:00Z');
const HOUR = 3600_000;

const example = (): FlowDocument =>
  JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../flow/examples/main-ivr.json', import.meta.url)),
      'utf8',
    ),
  ) as FlowDocument;

/** 80% of the calls in opening hours (08:00–18:00 in Los Angeles), the rest at any time. */
const clock = (random: () => number) =>
  WEEK +
  Math.floor(random() * 6) * 24 * HOUR +
  (random() < 0.8 ? 8 * HOUR + random() * 10 * HOUR : random() * 24 * HOUR);

export interface ReplayTiming {
  medianMs: number;
  minMs: number;
  maxMs: number;
  loadMs: number;
  replayMs: number;
  megabytes: number;
}
export interface ReplayBenchResult {
  seed: number;
  runs: number;
  steps: number;
  repeat: number;
  /** Against the changed draft (the figure), and against the recorded version (sanity). */
  draft: ReplayTiming;
  sameVersion: ReplayTiming;
  summary: string;
  sameCount: number;
}

/**
 * Simulates, stores and replays; prints as it goes (stdout) and returns the figures. The
 * environment's BENCH_REPLAY_* are the defaults of `options`.
 */
export async function replayBench(
  options: { runs?: number; repeat?: number; seed?: number } = {},
): Promise<ReplayBenchResult> {
  const RUNS = options.runs ?? DEFAULT_RUNS;
  const REPEAT = Math.max(options.repeat ?? DEFAULT_REPEAT, 3);
  const SEED = options.seed ?? DEFAULT_SEED;
  const bench = await startBenchEngine('replay', {
    // The stored runs' actions are never sent: no ACS here, and the outbox is emptied below.
    SWITCHBOARD_OUTBOX_GRACE_MS: String(24 * HOUR),
  });
  const { db, api } = bench;
  try {
    const { RuntimeRepository } = await import('../dist/src/runtime/runtime.repository.js');
    const { stepWrite } = await import('../dist/src/runtime/runtime.service.js');

    const doc = example();
    const flowId = (await api('POST', '/api/flows', { name: doc.name, document: doc })).body
      .id as string;
    await api('POST', `/api/flows/${flowId}/publish`, {});
    const versionId = (
      await db.query(`SELECT id FROM "FlowVersion" WHERE "flowId" = $1 AND version = 1`, [flowId])
    ).rows[0].id as string;

    console.log(
      `bench: ${RUNS.toLocaleString('en')} calls of the example IVR, seed ${SEED} (BENCH_REPLAY_SEED)`,
    );
    let t = performance.now();
    const calls = generateCalls(compileFlow(doc), RUNS, {
      seed: SEED,
      clock,
      runId: () => randomUUID(),
    });
    const steps = calls.reduce((n, c) => n + 1 + c.steps.length, 0);
    console.log(
      `  simulated in ${((performance.now() - t) / 1000).toFixed(1)} s: ${steps.toLocaleString('en')} steps (${(steps / RUNS).toFixed(1)} per call)`,
    );

    // Stored by the runtime's own statements (durability off while loading: only the setup).
    await db.query('ALTER SYSTEM SET synchronous_commit = off');
    await db.query('SELECT pg_reload_conf()');
    t = performance.now();
    const repo = bench.app.get(RuntimeRepository);
    const store = async (call: GeneratedCall) => {
      const s = call.start.state;
      await repo.insertRun(
        {
          id: call.runId,
          flowId,
          flowVersionId: versionId,
          version: 1,
          direction: 'incoming',
          fromAddress: s.call.from,
          toAddress: s.call.to,
          startedBy: 'entryPoint:+18005550100',
          test: false,
          clockOffsetMs: 0,
        },
        stepWrite(
          call.start,
          { id: `eg:${call.runId}`, type: 'IncomingCall' },
          call.at,
          call.trigger,
          undefined,
          null,
        ),
      );
      let before = s;
      for (const step of call.steps) {
        const write = stepWrite(step.result, step.event, step.at, step.event, before, null);
        const r = await repo.lockedStep({ runId: call.runId }, step.event.id, async () => ({
          write,
          value: null,
        }));
        if (r.kind !== 'applied') throw new Error(`step of ${call.runId}: ${r.kind}`);
        before = step.result.state;
      }
    };
    let next = 0;
    let stored = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < calls.length) {
          await store(calls[next++]!);
          if (++stored % 500 === 0) {
            process.stdout.write(`\r  ${stored.toLocaleString('en')} calls stored`);
          }
        }
      }),
    );
    // The runtime stamps runs with its own clock: give them the calls' times, as if they had
    // come in then, and empty the outbox as the sent marks would have.
    await db.query(
      `UPDATE "Run" r SET "startedAt" = to_timestamp(c.at / 1000.0) AT TIME ZONE 'UTC',
         "updatedAt" = to_timestamp(c.last / 1000.0) AT TIME ZONE 'UTC',
         "endedAt" = CASE WHEN r.status = 'ended' THEN to_timestamp(c.last / 1000.0) AT TIME ZONE 'UTC' END
       FROM unnest($1::text[], $2::float8[], $3::float8[]) AS c(id, at, last) WHERE r.id = c.id`,
      [
        calls.map((c) => c.runId),
        calls.map((c) => c.at),
        calls.map((c) => c.steps.at(-1)?.at ?? c.at),
      ],
    );
    // Steps carry their run's start time (the step table's partition key): move them with it.
    await db.query(
      `UPDATE "RunStep" s SET "runStartedAt" = r."startedAt" FROM "Run" r
       WHERE s."runId" = r.id AND s."runStartedAt" <> r."startedAt"`,
    );
    await db.query('DELETE FROM "OutboxAction"');
    await db.query('ALTER SYSTEM RESET synchronous_commit');
    await db.query('SELECT pg_reload_conf()');
    await db.query('VACUUM ANALYZE "Run"');
    await db.query('VACUUM ANALYZE "RunStep"');
    const counts = (
      await db.query(
        `SELECT (SELECT count(*) FROM "Run" WHERE status = 'ended')::int AS ended,
                (SELECT count(*) FROM "Run")::int AS runs,
                (SELECT count(*) FROM "RunStep")::int AS steps,
                (SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits
                   WHERE inhparent = '"RunStep"'::regclass) AS size`,
      )
    ).rows[0] as { ended: number; runs: number; steps: number; size: string };
    console.log(
      `\r  stored in ${((performance.now() - t) / 1000).toFixed(1)} s: ${counts.runs.toLocaleString('en')} runs (${counts.ended.toLocaleString('en')} ended), ${counts.steps.toLocaleString('en')} steps, RunStep ${counts.size}`,
    );

    // The analyst's change, saved as the draft.
    const flow = await api('GET', `/api/flows/${flowId}`);
    const changed = structuredClone(doc);
    changed.edges.find((e) => e.source === 'menu' && e.sourceOutcome === 'choice:2')!.target =
      'sales';
    await api('PUT', `/api/flows/${flowId}/draft`, changed, {
      'if-match': String(flow.body.revision),
    });

    const filter = {
      from: new Date(WEEK).toISOString(),
      to: new Date(WEEK + 7 * 24 * HOUR).toISOString(),
      limit: 5000,
    };
    const time = async (body: Record<string, unknown>) => {
      const total: number[] = [];
      const load: number[] = [];
      const replay: number[] = [];
      const bytes: number[] = [];
      let last: Record<string, unknown> = {};
      for (let i = 0; i < REPEAT + 1; i++) {
        const t0 = performance.now();
        const res = await api('POST', `/api/flows/${flowId}/replay`, body);
        const ms = performance.now() - t0;
        last = res.body;
        if (i === 0) continue; // warm-up
        const timing = res.headers.get('server-timing') ?? '';
        total.push(ms);
        load.push(Number(/load;dur=([\d.]+)/.exec(timing)?.[1] ?? NaN));
        replay.push(Number(/replay;dur=([\d.]+)/.exec(timing)?.[1] ?? NaN));
        bytes.push(res.text.length);
      }
      return { total, load, replay, bytes, last };
    };

    const same = await time({ version: 1, filter });
    const sameSummary = same.last.summary as Record<string, unknown>;
    console.log(
      `\nReplay on its own version (sanity): ${String(sameSummary.same)} of ${String(sameSummary.runs)} the same`,
    );
    const draft = await time({ filter });
    const summary = draft.last.summary as Record<string, unknown>;
    console.log(`Against the draft (menu 2 → Sales): ${String(summary.text)}`);
    console.log(
      `\nPOST /api/flows/{id}/replay, ${(draft.last.results as unknown[]).length.toLocaleString('en')} runs, ${REPEAT} requests (ms; target < ${TARGET_MS} ms)`,
    );
    console.log(
      `${'target'.padEnd(22)} ${'median'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)}   ${'db load'.padStart(8)} ${'replay'.padStart(8)} ${'rest'.padStart(8)}  ${'MB'.padStart(5)}  vs target`,
    );
    for (const [name, r] of [
      ['draft (changed)', draft],
      ['version 1 (same)', same],
    ] as const) {
      const m = median(r.total);
      const l = median(r.load);
      const c = median(r.replay);
      console.log(
        `${name.padEnd(22)} ${m.toFixed(0).padStart(8)} ${Math.min(...r.total)
          .toFixed(0)
          .padStart(8)} ${Math.max(...r.total)
          .toFixed(0)
          .padStart(8)}   ${l.toFixed(0).padStart(8)} ${c.toFixed(0).padStart(8)} ${(m - l - c)
          .toFixed(0)
          .padStart(
            8,
          )}  ${(median(r.bytes) / 1e6).toFixed(1).padStart(5)}  ${(m / TARGET_MS).toFixed(2)}×`,
      );
    }
    const timing = (r: typeof draft): ReplayTiming => ({
      medianMs: median(r.total),
      minMs: Math.min(...r.total),
      maxMs: Math.max(...r.total),
      loadMs: median(r.load),
      replayMs: median(r.replay),
      megabytes: median(r.bytes) / 1e6,
    });
    return {
      seed: SEED,
      runs: RUNS,
      steps,
      repeat: REPEAT,
      draft: timing(draft),
      sameVersion: timing(same),
      summary: String(summary.text),
      sameCount: Number(sameSummary.same),
    };
  } finally {
    await bench.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  replayBench().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
