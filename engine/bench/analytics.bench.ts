/**
 * Path analytics (GET /api/flows/{id}/analytics) over 1,000,000 step records
 * (BENCH_ANALYTICS_STEPS) in a fresh embedded Postgres, through the real engine over HTTP, next to the target (under
 * 500 ms on the 2-core VM); then what keeping the path columns costs each step write.
 *
 *   npm run bench -w engine            (runs after the other engine benchmarks)
 *   BENCH_SEED=42 BENCH_ANALYTICS_STEPS=1000000 BENCH_ANALYTICS_REPEAT=30 npx tsx bench/analytics.bench.ts
 *
 * The data is what the runtime would have written. Calls of the example IVR
 * (flow/examples/main-ivr.json, two published versions) are walked by the real interpreter
 * (`start`/`step` of @switchboard/flow): arrival times spread over the last 7 days, mostly in
 * business hours (the flow's own business-hours node sends the others to the closed message),
 * callers pressing 1, 2, 0, a wrong key or nothing, hanging up now and then, transfers and adds
 * failing now and then, with the callbacks ACS sends that move nothing (ParticipantsUpdated,
 * PlayStarted, the engine's ActionResults) — about seven steps a run. Seeded (BENCH_SEED,
 * printed): the same seed gives the same callers, relative to the time it runs (business hours
 * and the version in force depend on the day). Every step's record is the one the runtime
 * stores (event, trace, actions, variables) and the run's path columns are built from each
 * step's trace by the runtime's own stepPath, appended as write-step appends them. 5% are test
 * runs. Rows go in oldest first with batched multi-row INSERTs, then ANALYZE.
 *
 * Measured: the first request over the last 7 days (nothing rolled up yet: it reads every run;
 * the hours it covers are rolled up after it, timed once more on their own), then REPEAT
 * requests each (median, p95) for the last 7 days (every step record: the worst case), the
 * last day, a version, test runs, real and test; the statement alone without the rollup; once,
 * the last day's counts from the step records' JSON instead (why the path columns exist),
 * checked equal to the endpoint's. Then the step write itself: runs replayed through the
 * runtime's try-step statement (the optimistic path's one autocommit statement) and through the
 * same statement without the path update, alternating in blocks, with HOT updates counted per
 * variant; the columns those statements wrote are checked against the generated ones.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import type { StepParams } from '../src/runtime/sql/fragments.js';
import {
  type CallEvent,
  compileFlow,
  type FlowDocument,
  type RunState,
  type RunTrigger,
  start,
  step,
  type TraceEntry,
} from '@switchboard/flow';
import { seededRandom } from '@switchboard/emulator';
import { type BenchEngine, median, p95, startBenchEngine } from './bench-engine.js';

const DEFAULT_STEPS = Number(process.env.BENCH_ANALYTICS_STEPS ?? 1_000_000);
const DEFAULT_REPEAT = Number(process.env.BENCH_ANALYTICS_REPEAT ?? 30);
const DEFAULT_SEED = Number(process.env.BENCH_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Runs replayed through the step statements, per variant. */
const DEFAULT_WRITE_RUNS = Number(process.env.BENCH_ANALYTICS_WRITE_RUNS ?? 1000);
const TARGET_MS = 500;
const DAYS = 7;
const DAY = 24 * 3600 * 1000;
const BATCH = 4000;

/** What the runtime stores of one step (RunStep), and what the step write appends to the run. */
interface GeneratedStep {
  eventId: string;
  eventType: string;
  event: string;
  nodeId: string | null;
  trace: TraceEntry[];
  actions: string;
  vars: string | null;
  operationContext: string | null;
  at: number;
  /** The state after the step (the interpreter's: recentEventIds still in it). */
  state: RunState;
}

interface GeneratedRun {
  id: string;
  version: number;
  flowVersionId: string;
  test: boolean;
  from: string;
  startedAt: number;
  steps: GeneratedStep[];
  state: RunState;
  nodesEntered: string[];
  edgesTaken: string[];
}

type StepPath = (trace: readonly TraceEntry[]) => { nodes: string[]; edges: string[] };

/** A run's path columns as its step writes leave them: each appends the values it lacks. */
function pathOf(steps: GeneratedStep[], stepPath: StepPath) {
  const path = { nodesEntered: [] as string[], edgesTaken: [] as string[] };
  for (const st of steps) {
    const p = stepPath(st.trace);
    for (const n of p.nodes) if (!path.nodesEntered.includes(n)) path.nodesEntered.push(n);
    for (const e of p.edges) if (!path.edgesTaken.includes(e)) path.edgesTaken.push(e);
  }
  return path;
}

/** The two versions of the example: the second sends 0 to support too (no operator any more). */
function versions(): FlowDocument[] {
  const doc = JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../flow/examples/main-ivr.json', import.meta.url)),
      'utf8',
    ),
  ) as FlowDocument;
  const v2 = structuredClone(doc);
  const zero = v2.edges.find((e) => e.source === 'menu' && e.sourceOutcome === 'choice:0')!;
  zero.target = 'support';
  return [doc, v2];
}

/**
 * `n` arrival times within the last DAYS days, oldest first (rows go in in that order, as the
 * runtime inserts them): four calls in five in business hours (8:00–18:00 in Los Angeles,
 * 16:00–02:00 UTC in winter), the rest at any time.
 */
function arrivals(n: number, random: () => number, now: number): number[] {
  const times: number[] = [];
  for (let k = 0; k < n; k++) {
    const inHours = random() < 0.8;
    let at = 0;
    for (let i = 0; i < 50; i++) {
      at = Math.floor(now - 1000 - random() * (DAYS * DAY - 2000));
      const hour = new Date(at).getUTCHours();
      if (!inHours || hour >= 16 || hour < 2) break;
    }
    times.push(at);
  }
  return times.sort((a, b) => a - b);
}

/**
 * Walks calls of the example with the real interpreter. `next` answers what the run waits on,
 * as ACS and a caller would; the quiet callbacks come in between.
 */
function generator(
  docs: FlowDocument[],
  flowVersionIds: string[],
  stepPath: StepPath,
  asStored: (s: RunState) => RunState,
  random: () => number,
  now: number,
) {
  const flows = docs.map((d) => compileFlow(d));
  const types = new Map(docs[0]!.nodes.map((n) => [n.id, n.type]));
  const pick = <T>(choices: [number, T][]): T => {
    let r = random() * choices.reduce((s, [w]) => s + w, 0);
    for (const [w, v] of choices) if ((r -= w) < 0) return v;
    return choices.at(-1)![1];
  };
  const failed = (code: number, subCode: number) => ({ resultInformation: { code, subCode } });

  /** What ACS (and the caller) send next for a run waiting on `nodeId`: quiet ones first. */
  function answers(type: string, context: string, state: RunState): Partial<CallEvent>[] {
    const own = { operationContext: context };
    const quiet: Partial<CallEvent>[] = [];
    if (random() < 0.5) quiet.push({ type: 'PlayStarted', ...own });
    switch (type) {
      case 'call.answer':
        return [
          {
            type: 'ActionResult',
            ...own,
            callConnectionId: `cc-${state.runId}`,
            resultInformation: { code: 200 },
          },
          pick<Partial<CallEvent>>([
            [98, { type: 'CallConnected', ...own }],
            [2, { type: 'AnswerFailed', ...own, ...failed(400, 8523) }],
          ]),
          {
            type: 'ParticipantsUpdated',
            participants: [{ rawId: `4:${state.call.from}` }, { rawId: '28:acs:app' }],
          },
        ];
      case 'media.menu':
        return [
          ...quiet,
          pick<Partial<CallEvent>>([
            [40, { type: 'RecognizeCompleted', ...own, tones: ['one'] }],
            [30, { type: 'RecognizeCompleted', ...own, tones: ['two'] }],
            [12, { type: 'RecognizeCompleted', ...own, tones: ['zero'] }],
            [6, { type: 'RecognizeCompleted', ...own, tones: ['nine'] }],
            [8, { type: 'RecognizeFailed', ...own, ...failed(400, 8510) }],
            [1, { type: 'RecognizeFailed', ...own, ...failed(500, 8511) }],
            [3, { type: 'CallDisconnected', ...own }],
          ]),
        ];
      case 'media.play':
        return [
          ...quiet,
          pick<Partial<CallEvent>>([
            [96, { type: 'PlayCompleted', ...own }],
            [2, { type: 'PlayFailed', ...own, ...failed(500, 8535) }],
            [2, { type: 'CallDisconnected', ...own }],
          ]),
        ];
      case 'call.transfer':
        return [
          { type: 'ActionResult', ...own, resultInformation: { code: 202 } },
          pick<Partial<CallEvent>>([
            [85, { type: 'CallTransferAccepted', ...own }],
            [15, { type: 'CallTransferFailed', ...own, ...failed(500, 7504) }],
          ]),
        ];
      case 'call.addParticipant':
        return [
          {
            type: 'ActionResult',
            ...own,
            invitationId: `inv-${state.runId}`,
            resultInformation: { code: 202 },
          },
          pick<Partial<CallEvent>>([
            [80, { type: 'AddParticipantSucceeded', ...own }],
            [20, { type: 'AddParticipantFailed', ...own, ...failed(408, 5001) }],
          ]),
          {
            type: 'ParticipantsUpdated',
            participants: [{ rawId: `4:${state.call.from}` }, { rawId: '8:acs:support' }],
          },
        ];
      default:
        return [{ type: 'CallDisconnected', ...own }];
    }
  }

  let calls = 0;
  return function run(startedAt: number): GeneratedRun {
    const id = randomUUID();
    const version = startedAt < now - 3 * DAY ? 1 : 2;
    const flow = flows[version - 1]!;
    const from = `+1555${String(++calls % 10_000_000).padStart(7, '0')}`;
    const trigger: RunTrigger = {
      kind: 'incomingCall',
      runId: id,
      from,
      to: '+18005550100',
      callerDisplayName: '',
      correlationId: `corr-${id}`,
      serverCallId: `server-${id}`,
      incomingCallContext: `context-${id}-${'x'.repeat(200)}`,
    };
    const steps: GeneratedStep[] = [];
    const add = (
      type: string,
      event: unknown,
      context: string | undefined,
      r: { state: RunState; trace: TraceEntry[]; actions: unknown[] },
      before: RunState | undefined,
      t: number,
    ) => {
      steps.push({
        eventId: `${id}:${steps.length}`,
        eventType: type,
        event: JSON.stringify(event),
        nodeId: r.state.currentNodeId ?? null,
        trace: r.trace,
        actions: JSON.stringify(r.actions),
        vars: before && before.vars === r.state.vars ? null : JSON.stringify(r.state.vars),
        operationContext: context ?? null,
        at: t,
        state: r.state,
      });
    };
    let t = startedAt;
    const first = start(flow, trigger, t);
    add('IncomingCall', trigger, undefined, first, undefined, t);
    let state = first.state;
    let n = 0;
    while (state.status === 'running' && state.awaiting && steps.length < 60) {
      const awaited = state.awaiting;
      for (const spec of answers(
        types.get(awaited.nodeId) ?? '',
        awaited.operationContext,
        state,
      )) {
        t += 200 + Math.floor(random() * 4000);
        // A call still in progress when the data was taken: the run is running.
        if (t > now || state.status !== 'running') break;
        const event = { id: `${id}:e${++n}`, ...spec } as CallEvent;
        const r = step(flow, state, event, t);
        add(event.type, event, event.operationContext, r, state, t);
        state = r.state;
      }
      if (t > now) break;
    }
    return {
      id,
      version,
      flowVersionId: flowVersionIds[version - 1]!,
      test: random() < 0.05,
      from,
      startedAt,
      steps,
      state: asStored(state),
      ...pathOf(steps, stepPath),
    };
  };
}

export interface AnalyticsBenchResult {
  seed: number;
  steps: number;
  runs: number;
  /** Label → median and p95 (ms) and the runs counted. */
  requests: { label: string; median: number; p95: number; runs: number }[];
  /** The first request over the 7 days, before anything was rolled up. */
  coldMs: number;
  /** Median of the requests over the last 7 days (the whole data set). */
  sevenDaysMs: number;
  rollupMs: number;
  fromStepsMs: number;
  countsEqual: boolean;
  stepWrite: { name: string; medianMs: number; p95Ms: number; steps: number; hotPercent: number }[];
  pathColumnsEqual: boolean;
}

/**
 * Generates, stores and measures; prints as it goes (stdout) and returns the figures. The
 * environment's BENCH_ANALYTICS_* and BENCH_SEED are the defaults of `options`.
 */
export async function analyticsBench(
  options: { steps?: number; repeat?: number; seed?: number; writeRuns?: number } = {},
): Promise<AnalyticsBenchResult> {
  const STEPS = options.steps ?? DEFAULT_STEPS;
  const REPEAT = options.repeat ?? DEFAULT_REPEAT;
  const SEED = options.seed ?? DEFAULT_SEED;
  const WRITE_RUNS = options.writeRuns ?? DEFAULT_WRITE_RUNS;
  const out: Partial<AnalyticsBenchResult> = { seed: SEED };
  const bench = await startBenchEngine('analytics');
  const { db } = bench;
  // Only the responses' JSON is read here.
  const api = async (...args: Parameters<BenchEngine['api']>) => (await bench.api(...args)).body;
  try {
    const { stepPath } = (await import('../dist/src/runtime/run-path.js')) as {
      stepPath: StepPath;
    };
    const { asStored, stepParams } = await import('../dist/src/runtime/runtime.repository.js');
    const { tryStep } = await import('../dist/src/runtime/sql/try-step.sql.js');
    const { insertRun } = await import('../dist/src/runtime/sql/insert-run.sql.js');
    const { statement, column } = await import('../dist/src/runtime/sql/statement.js');
    const fragments = await import('../dist/src/runtime/sql/fragments.js');
    const { pathCounts } = await import('../dist/src/analytics/sql/path-counts.sql.js');
    const { AnalyticsService } = await import('../dist/src/analytics/analytics.service.js');
    const { rollUpHours } = await import('../dist/src/analytics/sql/roll-up-hours.sql.js');

    // The flow and its two versions, published through the API.
    const docs = versions();
    const flow = await api('POST', '/api/flows', { name: 'Main IVR', document: docs[0] });
    const flowId = flow.id as string;
    await api('POST', `/api/flows/${flowId}/publish`, {});
    const current = await api('GET', `/api/flows/${flowId}`);
    await api('PUT', `/api/flows/${flowId}/draft`, docs[1], {
      'if-match': String(current.revision),
    });
    await api('POST', `/api/flows/${flowId}/publish`, {});
    const versionIds = (
      await db.query<{ id: string }>(
        `SELECT id FROM "FlowVersion" WHERE "flowId" = $1 ORDER BY version`,
        [flowId],
      )
    ).rows.map((r) => r.id);
    if (versionIds.length !== 2) throw new Error('expected two versions');

    console.log(
      `bench: path analytics — ${STEPS.toLocaleString('en')} step records of the example IVR over ${DAYS} days, seed ${SEED} (BENCH_SEED=${SEED} repeats it)`,
    );
    const now = Date.now();
    const random = seededRandom(SEED);
    const generate = generator(docs, versionIds, stepPath, asStored, random, now);
    // As many arrivals as make STEPS steps: steps per run measured on a trial of its own.
    const trial = generator(docs, versionIds, stepPath, asStored, seededRandom(SEED + 1), now);
    const trialTimes = arrivals(2000, seededRandom(SEED + 2), now);
    const perRun = trialTimes.reduce((n, t) => n + trial(t).steps.length, 0) / trialTimes.length;
    // A little under, so that no hours at the end go empty: the few runs after them arrive at
    // times drawn the same way, not in order.
    const times = arrivals(Math.floor((0.97 * STEPS) / perRun), random, now);
    const iso = (ms: number) => new Date(ms).toISOString();
    const t0 = Date.now();
    let steps = 0;
    let runs = 0;
    let running = 0;
    /** A few generated runs, replayed through the step statements afterwards. */
    const sample: GeneratedRun[] = [];
    const runRows: unknown[][] = [];
    const stepRows: unknown[][] = [];
    const flushRuns = async () => {
      if (runRows.length === 0) return;
      const cols = runRows[0]!.map((_, i) => runRows.map((r) => r[i]));
      runRows.length = 0;
      await db.query(
        `INSERT INTO "Run" (id, "flowId", "flowVersionId", version, direction, status, "endReason",
           "currentNodeId", state, "callConnectionId", "correlationId", "fromAddress", "toAddress",
           deadline, "awaitingContext", "stepCount", "startedAt", "updatedAt", "endedAt",
           "startedBy", test, "nodesEntered", "edgesTaken")
         SELECT r.id, $2, r.fv, r.v, 'incoming', r.status, r.reason, r.node, r.state::jsonb, r.cc,
           r.corr, r.frm, '+18005550100', r.deadline::timestamp, r.ctx, r.n, r.started::timestamp,
           r.updated::timestamp, r.ended::timestamp, 'bench', r.test,
           ARRAY(SELECT jsonb_array_elements_text(r.nodes::jsonb)),
           ARRAY(SELECT jsonb_array_elements_text(r.edges::jsonb))
         FROM unnest($1::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[],
           $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int[],
           $15::text[], $16::text[], $17::text[], $18::bool[], $19::text[], $20::text[])
           AS r(id, fv, v, status, reason, node, state, cc, corr, frm, deadline, ctx, n, started,
             updated, ended, test, nodes, edges)`,
        [cols[0], flowId, ...cols.slice(1)],
      );
    };
    const flushSteps = async () => {
      if (stepRows.length === 0) return;
      const cols = stepRows[0]!.map((_, i) => stepRows.map((r) => r[i]));
      stepRows.length = 0;
      await db.query(
        `INSERT INTO "RunStep" ("runId", seq, "eventId", "eventType", event, "nodeId", trace,
           actions, vars, "operationContext", "receivedAt", "committedAt", "runStartedAt")
         SELECT s.run, s.seq, s.eid, s.etype, s.event::jsonb, s.node, s.trace::jsonb,
           s.actions::jsonb, s.vars::jsonb, s.ctx, s.at::timestamp, s.at::timestamp, r."startedAt"
         FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
           AS s(run, seq, eid, etype, event, node, trace, actions, vars, ctx, at)
         JOIN "Run" r ON r.id = s.run`,
        cols,
      );
    };
    while (steps < STEPS) {
      const r = generate(times[runs] ?? arrivals(1, random, now)[0]!);
      if (r.steps.length > STEPS - steps) {
        r.steps.length = STEPS - steps;
        Object.assign(r, pathOf(r.steps, stepPath));
      }
      runs += 1;
      steps += r.steps.length;
      if (sample.length < 2 * WRITE_RUNS && r.steps.length > 2 && random() < 0.05) sample.push(r);
      const last = r.steps.at(-1)!;
      const s = asStored(last.state);
      const ended = s.status === 'ended';
      if (!ended) running += 1;
      runRows.push([
        r.id,
        r.flowVersionId,
        r.version,
        s.status,
        s.endReason ?? null,
        s.currentNodeId ?? null,
        JSON.stringify(s),
        s.call.callConnectionId || null,
        s.call.correlationId || null,
        r.from,
        // (Far out: the engine's reconciler would otherwise take the calls still running for lost.)
        !ended ? iso(now + DAY) : null,
        (!ended && s.awaiting?.operationContext) || null,
        r.steps.length,
        iso(r.startedAt),
        iso(last.at),
        ended ? iso(last.at) : null,
        r.test,
        JSON.stringify(r.nodesEntered),
        JSON.stringify(r.edgesTaken),
      ]);
      r.steps.forEach((st, seq) =>
        stepRows.push([
          r.id,
          seq,
          st.eventId,
          st.eventType,
          st.event,
          st.nodeId,
          JSON.stringify(st.trace),
          st.actions,
          st.vars,
          st.operationContext,
          iso(st.at),
        ]),
      );
      if (stepRows.length >= BATCH) {
        await flushRuns();
        await flushSteps();
        const s = (Date.now() - t0) / 1000;
        process.stdout.write(
          `\r  ${steps.toLocaleString('en')} steps, ${runs.toLocaleString('en')} runs (${Math.round(steps / s).toLocaleString('en')} steps/s)   `,
        );
      }
    }
    await flushRuns();
    await flushSteps();
    console.log(
      `\r  ${steps.toLocaleString('en')} steps, ${runs.toLocaleString('en')} runs (${running} still running) in ${((Date.now() - t0) / 1000).toFixed(0)} s${' '.repeat(20)}`,
    );
    const ta = Date.now();
    await db.query('ANALYZE');
    const sizes = (
      await db.query<{ rel: string; size: string }>(
        // "RunStep" is partitioned: its size is its partitions'.
        `SELECT t.rel, pg_size_pretty(sum(pg_total_relation_size(p.relid))) AS size
         FROM (VALUES ('Run'), ('RunStep')) AS t(rel), pg_partition_tree(quote_ident(t.rel)) p
         GROUP BY t.rel ORDER BY t.rel`,
      )
    ).rows;
    const avg = (
      await db.query<{ edges: number; nodes: number; row: number }>(
        `SELECT avg(cardinality("edgesTaken"))::float8 AS edges,
           avg(cardinality("nodesEntered"))::float8 AS nodes,
           avg(pg_column_size(r.*))::float8 AS row
         FROM "Run" r`,
      )
    ).rows[0]!;
    console.log(
      `  ANALYZE ${((Date.now() - ta) / 1000).toFixed(1)} s; ${sizes.map((s) => `${s.rel} ${s.size}`).join(', ')}; ${(steps / runs).toFixed(1)} steps, ${avg.nodes.toFixed(1)} nodes and ${avg.edges.toFixed(1)} edges per run, ${Math.round(avg.row)} bytes per run row`,
    );

    // ---- the endpoint ----
    const time = async (label: string, query: string, repeat = REPEAT) => {
      const ms: number[] = [];
      let body: Record<string, unknown> = {};
      for (let i = 0; i < repeat + 2; i++) {
        const start = performance.now();
        body = await api('GET', `/api/flows/${flowId}/analytics${query}`);
        if (i >= 2) ms.push(performance.now() - start);
      }
      return { label, median: median(ms), p95: p95(ms), runs: body.runs as number, body };
    };
    const range = (days: number) =>
      `from=${encodeURIComponent(iso(now - days * DAY + 1))}&to=${encodeURIComponent(iso(now + 1))}`;
    // The first request over the range reads every run (nothing is rolled up yet) and has the
    // hours whose runs have all ended rolled up after it.
    const cold = performance.now();
    const firstBody = await api('GET', `/api/flows/${flowId}/analytics?${range(7)}`);
    const coldMs = performance.now() - cold;
    await bench.app.get(AnalyticsService).settled();
    // That rollup once more, timed on its own (in a transaction rolled back).
    const rolledHours = (
      await db.query<{ hour: string }>(
        `SELECT to_char(hour, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS hour FROM "PathRollupHour"
         WHERE "flowId" = $1`,
        [flowId],
      )
    ).rows.map((r) => r.hour);
    await db.query('BEGIN');
    await db.query(`DELETE FROM "PathRollupHour" WHERE "flowId" = $1`, [flowId]);
    const rollupStart = performance.now();
    await db.query(rollUpHours.text, rollUpHours.values({ flowId, hours: rolledHours }));
    const rollupMs = performance.now() - rollupStart;
    await db.query('ROLLBACK');
    const results = [
      {
        label: 'last 7 days, first request (no rollup yet)',
        median: coldMs,
        p95: Number.NaN,
        runs: firstBody.runs as number,
      },
      await time('last 7 days (the whole data set)', `?${range(7)}`),
      await time('last 7 days, default range (no from/to)', ''),
      await time('last 1 day', `?${range(1)}`),
      await time('last 7 days, version 2', `?${range(7)}&version=2`),
      await time('last 7 days, test runs', `?${range(7)}&test=true`),
      await time('last 7 days, real and test', `?${range(7)}&test=all`),
    ];
    // The statement alone reading every run of the 7 days (no rollup): the first design's cost.
    const liveParams = {
      flowId,
      test: 'false' as const,
      version: null,
      rolledHours: [],
      liveFrom: [iso(now - 7 * DAY + 1)],
      liveTo: [iso(now + 1)],
    };
    const liveMs: number[] = [];
    let liveRuns = 0;
    for (let i = 0; i < Math.max(5, Math.ceil(REPEAT / 3)) + 1; i++) {
      const start = performance.now();
      const res = await db.query<{ kind: string; runs: number }>(
        pathCounts.text,
        pathCounts.values(liveParams),
      );
      if (i > 0) liveMs.push(performance.now() - start);
      liveRuns = res.rows.find((r) => r.kind === 'total')?.runs ?? 0;
    }
    results.push({
      label: 'last 7 days from the runs, no rollup (SQL)',
      median: median(liveMs),
      p95: p95(liveMs),
      runs: liveRuns,
    });

    // Once: the same counts for the last day from the step records' JSON (what the path
    // columns save).
    const from = iso(now - DAY + 1);
    const to = iso(now + 1);
    const ts = performance.now();
    const fromSteps = await db.query<{ kind: string; key: string; runs: number }>(
      `WITH r AS (SELECT id FROM "Run" WHERE "flowId" = $1 AND NOT test
                    AND "startedAt" >= ($2::timestamptz AT TIME ZONE 'UTC')
                    AND "startedAt" < ($3::timestamptz AT TIME ZONE 'UTC')),
       t AS (SELECT s."runId", e->>'kind' AS kind, e->>'nodeId' AS node, e->>'outcome' AS outcome,
               lead(e->>'kind') OVER w AS next_kind, lead(e->>'nodeId') OVER w AS next_node
             FROM r JOIN "RunStep" s ON s."runId" = r.id
               CROSS JOIN LATERAL jsonb_array_elements(s.trace) WITH ORDINALITY AS x(e, i)
             WHERE e->>'kind' IN ('enter', 'outcome')
             WINDOW w AS (PARTITION BY s."runId" ORDER BY s.seq, x.i))
       SELECT 'edge' AS kind,
         '[' || to_json(node)::text || ',' || to_json(outcome)::text || ',' || to_json(next_node)::text || ']' AS key,
         count(DISTINCT "runId")::int AS runs
       FROM t WHERE kind = 'outcome' AND next_kind = 'enter' GROUP BY 2
       UNION ALL
       SELECT 'node', node, count(DISTINCT "runId")::int FROM t WHERE kind = 'enter' GROUP BY 2`,
      [flowId, from, to],
    );
    const fromStepsMs = performance.now() - ts;
    const day = await api(
      'GET',
      `/api/flows/${flowId}/analytics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    );
    const want = new Map(fromSteps.rows.map((r) => [`${r.kind} ${r.key}`, r.runs]));
    const got = new Map<string, number>();
    for (const e of day.edges as {
      source: string;
      sourceOutcome: string;
      target: string;
      runs: number;
    }[]) {
      got.set(`edge ${JSON.stringify([e.source, e.sourceOutcome, e.target])}`, e.runs);
    }
    for (const n of day.nodes as { id: string; entered: number }[])
      got.set(`node ${n.id}`, n.entered);
    const same =
      want.size === got.size && [...want].every(([k, v]) => got.get(k) === v) && want.size > 0;

    console.log(
      `\nGET /api/flows/{id}/analytics, ${REPEAT} requests each through the engine (ms; target < ${TARGET_MS} ms)`,
    );
    console.log(
      `${'range'.padEnd(48)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'runs'.padStart(8)}  vs target`,
    );
    for (const r of results) {
      console.log(
        `${r.label.padEnd(48)} ${r.median.toFixed(1).padStart(8)} ${(Number.isNaN(r.p95) ? '' : r.p95.toFixed(1)).padStart(8)} ${String(r.runs).padStart(8)}  ${(r.median / TARGET_MS).toFixed(2)}× ${(Number.isNaN(r.p95) ? r.median : r.p95) < TARGET_MS ? 'ok' : 'OVER'}`,
      );
    }
    console.log(
      `${'last 1 day from the step records (SQL, once)'.padEnd(48)} ${fromStepsMs.toFixed(1).padStart(8)} ${''.padStart(8)} ${String(day.runs).padStart(8)}  ${(fromStepsMs / TARGET_MS).toFixed(2)}×  (counts ${same ? 'equal the endpoint' : 'DIFFER from the endpoint'})`,
    );
    // Where the statement without the rollup spends its time: reading the runs, then the rest.
    const plan = await db.query<{ 'QUERY PLAN': string }>({
      text: `EXPLAIN (ANALYZE, FORMAT TEXT) ${pathCounts.text}`,
      values: pathCounts.values(liveParams),
    });
    const lines = plan.rows.map((r) => r['QUERY PLAN']);
    const scan = lines
      .find((l) => /Scan.* on "Run"/.test(l))
      ?.trim()
      .replace(/\(cost=[^)]*\) /, '');
    const total = lines.find((l) => /Execution Time/.test(l))?.trim();
    console.log(`  7 days without the rollup, EXPLAIN ANALYZE: ${scan} | ${total}`);
    console.log(
      `  the rollup the first request left behind (later requests read it): ${rolledHours.length} hours, ${rollupMs.toFixed(0)} ms`,
    );
    Object.assign(out, {
      steps,
      runs,
      requests: results.map(({ label, median: m, p95: p, runs: n }) => ({
        label,
        median: m,
        p95: p,
        runs: n,
      })),
      coldMs,
      sevenDaysMs: results[1]!.median,
      rollupMs,
      fromStepsMs,
      countsEqual: same,
    });

    // ---- the step write: try-step with and without the path update ----
    const noPath = statement<StepParams>(
      'bench_try_step_no_path',
      (p) => `WITH u AS (
  UPDATE ${fragments.RUN} SET ${fragments.runStateUpdate(p)}
  WHERE ${column('Run', 'id')} = ${p.runId} AND ${column('Run', 'status')} = 'running'
    AND ${column('Run', 'stepCount')} = ${p.seq}
    AND NOT EXISTS (SELECT 1 FROM ${fragments.STEP} WHERE ${column('RunStep', 'eventId')} = ${p.eventId})
  RETURNING ${column('Run', 'id')}),
o AS (
  INSERT INTO ${fragments.OUTBOX} (${fragments.OUTBOX_COLUMNS}) ${fragments.outboxRows(p, 'u.id', 'u, ')})
INSERT INTO ${fragments.STEP} (${fragments.STEP_COLUMNS}) SELECT u.id, ${fragments.stepValues(p)} FROM u`,
    );
    // One connection, commits not waiting for the WAL flush: the statement's own cost, not fsync.
    const w = new pg.Client({
      connectionString: bench.databaseUrl,
      options: '-c synchronous_commit=off',
    });
    await w.connect();
    const writeFlow = randomUUID();
    const variants = [
      { name: 'try-step (with the path update)', statement: tryStep },
      { name: 'the same without the path update', statement: noPath },
    ].map((v) => ({
      ...v,
      ms: [] as number[],
      hot: 0,
      upd: 0,
      runs: [] as [string, GeneratedRun][],
    }));
    const readStats = async () => {
      await w.query('SELECT pg_stat_force_next_flush()');
      const res = await w.query<{ upd: number; hot: number }>(
        `SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'Run'`,
      );
      return res.rows[0]!;
    };
    const blocks = 4;
    const perBlock = Math.ceil(sample.length / blocks);
    for (let b = 0; b < blocks; b++) {
      const block = sample.slice(b * perBlock, (b + 1) * perBlock);
      const v = variants[b % 2]!;
      const before = await readStats();
      for (const g of block) {
        const id = randomUUID();
        v.runs.push([id, g]);
        const write = (st: GeneratedStep) => ({
          state: st.state,
          deadline: null,
          eventId: `${id}:${st.eventId}`,
          eventType: st.eventType,
          event: JSON.parse(st.event) as unknown,
          ...(st.operationContext ? { operationContext: st.operationContext } : {}),
          receivedAt: st.at,
          trace: st.trace,
          actions: JSON.parse(st.actions) as unknown[],
          outbox: [],
          // (The generated run holds its own: the unique column needs another.)
          callConnectionId: st.state.call.callConnectionId ? `cc-${id}` : undefined,
          vars: st.vars === null ? undefined : (JSON.parse(st.vars) as Record<string, string>),
        });
        const first = g.steps[0]!;
        await w.query({
          name: insertRun.name,
          text: insertRun.text,
          values: insertRun.values({
            ...stepParams(id, first.at, 0, write(first), first.at),
            flowId: writeFlow,
            flowVersionId: g.flowVersionId,
            version: g.version,
            direction: 'incoming',
            fromAddress: g.from,
            toAddress: '+18005550100',
            startedBy: 'bench',
            test: false,
            clockOffsetMs: 0,
          }),
        });
        for (let seq = 1; seq < g.steps.length; seq++) {
          const st = g.steps[seq]!;
          const values = v.statement.values(stepParams(id, first.at, seq, write(st), st.at));
          const start = performance.now();
          const res = await w.query({ name: v.statement.name, text: v.statement.text, values });
          v.ms.push(performance.now() - start);
          if (res.rowCount !== 1) throw new Error(`step ${seq} of a replayed run was not written`);
        }
      }
      const after = await readStats();
      v.upd += after.upd - before.upd;
      v.hot += after.hot - before.hot;
    }
    // The runs the runtime's statements wrote hold what the generator computed for them.
    const written = await w.query<{ id: string; nodes: string[]; edges: string[] }>(
      `SELECT id, "nodesEntered" AS nodes, "edgesTaken" AS edges FROM "Run" WHERE "flowId" = $1`,
      [writeFlow],
    );
    const byId = new Map(written.rows.map((r) => [r.id, r]));
    let checked = 0;
    let mismatched = 0;
    variants[0]!.runs.forEach(([id, g]) => {
      const row = byId.get(id);
      if (!row) return;
      checked += 1;
      if (
        JSON.stringify(row.nodes) !== JSON.stringify(g.nodesEntered) ||
        JSON.stringify(row.edges) !== JSON.stringify(g.edgesTaken)
      )
        mismatched += 1;
    });
    await w.end();
    console.log(
      `\nStep write (one autocommit statement, synchronous_commit off so fsync is left out; ${sample.length} runs replayed, alternating blocks)`,
    );
    console.log(
      `${'statement'.padEnd(48)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'steps'.padStart(8)}  HOT updates of "Run"`,
    );
    for (const v of variants) {
      console.log(
        `${v.name.padEnd(48)} ${v.ms.length ? median(v.ms).toFixed(3).padStart(8) : '-'.padStart(8)} ${v.ms.length ? p95(v.ms).toFixed(3).padStart(8) : '-'.padStart(8)} ${String(v.ms.length).padStart(8)}  ${v.upd ? `${((100 * v.hot) / v.upd).toFixed(0)}% of ${v.upd}` : '-'}`,
      );
    }
    console.log(
      `  path columns written by insert-run + try-step equal the generated ones: ${mismatched === 0 && checked > 0 ? 'yes' : 'NO'} (${checked} runs)`,
    );
    out.stepWrite = variants.map((v) => ({
      name: v.name,
      medianMs: v.ms.length ? median(v.ms) : NaN,
      p95Ms: v.ms.length ? p95(v.ms) : NaN,
      steps: v.ms.length,
      hotPercent: v.upd ? (100 * v.hot) / v.upd : NaN,
    }));
    out.pathColumnsEqual = mismatched === 0 && checked > 0;
  } finally {
    await bench.stop();
  }
  return out as AnalyticsBenchResult;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  analyticsBench()
    .then((r) => {
      if (!r.countsEqual || !r.pathColumnsEqual) process.exitCode = 1;
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
