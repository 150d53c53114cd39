/**
 * The Calls page's queries over a large table: GET /api/runs (first page and filters) and
 * GET /api/runs/{id} of a long run, against 100,000 runs (BENCH_LIST_RUNS) with three steps
 * each in a fresh embedded Postgres, through the real engine over HTTP. Prints the median and
 * p95 of each query next to the target (first page under 300 ms).
 *
 *   npm run bench -w engine            (runs after the runtime benchmark)
 *   BENCH_LIST_RUNS=100000 BENCH_LIST_REPEAT=25 npx tsx bench/runs-list.bench.ts
 */
import { randomUUID } from 'node:crypto';
import { median, p95, startBenchEngine } from './bench-engine.js';

const RUNS = Number(process.env.BENCH_LIST_RUNS ?? 100_000);
const REPEAT = Number(process.env.BENCH_LIST_REPEAT ?? 25);
const TARGET_MS = 300;
const FLOWS = 5;

async function main() {
  const bench = await startBenchEngine('list');
  const { db, api } = bench;
  try {
    console.log(`bench: inserting ${RUNS.toLocaleString('en')} runs with 3 steps each…`);
    const started = Date.now();
    const flowIds = Array.from({ length: FLOWS }, () => randomUUID());
    const batch = 20_000;
    for (let offset = 0; offset < RUNS; offset += batch) {
      const n = Math.min(batch, RUNS - offset);
      // Runs spread over the last 30 days; one in ten is a test run; a few still running.
      await db.query(
        `WITH r AS (
           INSERT INTO "Run" (id, "flowId", "flowVersionId", version, direction, status, "endReason",
             "currentNodeId", state, "fromAddress", "toAddress", "stepCount", "startedAt", "updatedAt",
             "endedAt", "startedBy", test)
           SELECT gen_random_uuid()::text, ($3::text[])[1 + (i % ${FLOWS})], 'v', 1 + (i % 3), 'incoming',
             CASE WHEN i % 97 = 0 THEN 'running' ELSE 'ended' END,
             CASE WHEN i % 97 = 0 THEN NULL WHEN i % 7 = 0 THEN 'callerHungUp' ELSE 'completed' END,
             'menu', '{}'::jsonb, '+1555' || lpad((i % 100000)::text, 7, '0'), '+18005550100', 3,
             now() - make_interval(secs => i * (2592000.0 / $2)), now(), now(), 'bench', i % 10 = 0
           FROM generate_series($1::int, $1::int + ${n} - 1) AS i
           RETURNING id, "startedAt")
         INSERT INTO "RunStep" ("runId", seq, "eventId", "eventType", "nodeId", trace, actions, "receivedAt", "committedAt", "runStartedAt")
         SELECT r.id, s, r.id || ':' || s, 'PlayCompleted', 'menu',
           jsonb_build_array(jsonb_build_object('at', 0, 'kind', 'enter', 'nodeId', CASE s WHEN 0 THEN 'start' WHEN 1 THEN 'menu' ELSE 'node' || (abs(hashtext(r.id)) % 50) END, 'type', 'x')),
           '[]'::jsonb, r."startedAt", r."startedAt", r."startedAt"
         FROM r, generate_series(0, 2) AS s`,
        [offset, RUNS, flowIds],
      );
      process.stdout.write(`\r  ${(offset + n).toLocaleString('en')} runs`);
    }
    await db.query('ANALYZE "Run"; ANALYZE "RunStep"');
    console.log(`\n  inserted in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // A run of 1,000 steps (the run view's worst case).
    const longRun = randomUUID();
    await db.query(
      `INSERT INTO "Run" (id, "flowId", "flowVersionId", version, direction, status, state, "stepCount", "startedBy")
       VALUES ($1, $2, 'v', 1, 'incoming', 'ended', '{}'::jsonb, 1000, 'bench')`,
      [longRun, flowIds[0]],
    );
    await db.query(
      `INSERT INTO "RunStep" ("runId", seq, "eventId", "eventType", "nodeId", trace, actions, vars, "receivedAt", "committedAt", "runStartedAt")
       SELECT $1, s, $1 || ':' || s, 'RecognizeCompleted', 'menu',
         '[{"at":0,"kind":"enter","nodeId":"menu","type":"media.menu"},{"at":0,"kind":"outcome","nodeId":"menu","outcome":"choice:1"}]'::jsonb,
         '[{"kind":"recognizeDtmf","nodeId":"menu"}]'::jsonb,
         CASE WHEN s % 10 = 0 THEN jsonb_build_object('n', s::text) END, now(), now(),
         (SELECT "startedAt" FROM "Run" WHERE id = $1)
       FROM generate_series(0, 999) AS s`,
      [longRun],
    );

    const time = async (path: string) => {
      const ms: number[] = [];
      let count = 0;
      for (let i = 0; i < REPEAT + 2; i++) {
        const t0 = performance.now();
        const { body } = await api('GET', path);
        count = ((body.items ?? body.steps ?? []) as unknown[]).length;
        if (i >= 2) ms.push(performance.now() - t0);
      }
      return { path, median: median(ms), p95: p95(ms), count };
    };
    const queries = [
      '/api/runs?limit=100',
      '/api/runs?limit=100&test=true',
      '/api/runs?limit=100&test=all',
      `/api/runs?limit=100&flowId=${flowIds[2]}`,
      '/api/runs?limit=100&status=ended&endReason=callerHungUp',
      `/api/runs?limit=100&flowId=${flowIds[1]}&version=2`,
      `/api/runs?limit=100&flowId=${flowIds[3]}&nodeId=node7&test=all`,
      '/api/runs?limit=100&number=%2B15550001234',
      `/api/runs/${longRun}`,
    ];
    console.log(
      `\nGET over ${RUNS.toLocaleString('en')} runs, ${REPEAT} requests each (ms; target: first page < ${TARGET_MS} ms)`,
    );
    console.log(
      `${'query'.padEnd(78)} ${'median'.padStart(8)} ${'p95'.padStart(8)}  rows  vs target`,
    );
    for (const q of queries) {
      const r = await time(q);
      console.log(
        `${q.replace(/[0-9a-f-]{36}/g, '<id>').padEnd(78)} ${r.median.toFixed(1).padStart(8)} ${r.p95
          .toFixed(1)
          .padStart(8)}  ${String(r.count).padStart(4)}  ${(r.median / TARGET_MS).toFixed(2)}×`,
      );
    }
  } finally {
    await bench.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
