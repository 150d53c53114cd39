/**
 * Callback throughput and callback→action latency of the engine's hot path, side by side in one
 * run with (a) the machine's commit ceiling (BEGIN; single-row INSERT; COMMIT in a tight loop,
 * same Postgres, same concurrency, same pool size), (b) a hand-written in-memory handler
 * (same HTTP + RS256 JWT + SDK parse + pure step + SDK send, no database) and (c) any peers the
 * caller adds (the root `npm run bench` adds the DBOS peer, bench/peers/dbos/): child processes
 * speaking memory-handler.mjs's protocol.
 *
 *   npm run bench -w engine
 *   BENCH_EVENTS=3000 BENCH_CONCURRENCY=32 BENCH_ROUNDS=3 BENCH_PROFILE=1 npm run bench -w engine
 *
 * `runtimeBench(options)` returns the figures (the root benchmark's `callbacks` phase calls it);
 * run as a script it prints them.
 *
 * Processes (loopback only; bounded by count and by time per phase):
 * - this process: the driver (posts pre-signed PlayCompleted CloudEvents with a keep-alive
 *   agent, closed loop, one run per concurrent worker) and the commit-ceiling loop;
 * - a child process: the fake ACS (answers every SDK request, reports each action's
 *   operationContext and arrival time — process.hrtime, CLOCK_MONOTONIC, one clock for all);
 * - a child process: the engine (plain `node`, from dist/; `--cpu-prof` with BENCH_PROFILE=1);
 * - a child process: the in-memory handler; one per peer.
 * Postgres is the embedded one, durable (fsync on, synchronous_commit on), in a temp folder.
 *
 * Each event is a PlayCompleted for a run waiting on a play node that loops on itself, so every
 * event yields exactly one action; latency = POST sent → the resulting play request reaching
 * the fake ACS. Phases run in rounds (engine, ceiling, in-memory, peers, engine, …) so that the
 * machine's background load hits all of them alike; the summary is the median over rounds.
 *
 * Each round also offers fixed rates (BENCH_OPEN_RATES, default 500 and 1000 events/s, for
 * BENCH_OPEN_SECONDS each) to every target — open loop, latency counted from the scheduled
 * arrival — and measures per closed-loop event the WAL written (pg_current_wal_lsn), the CPU
 * time of Postgres (all its processes) and of the target's process; at the end, tuples
 * inserted/updated (HOT or not) per table per applied event and stored row sizes.
 */
import { mkdir } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { FlowDocument } from '@switchboard/flow';
import {
  type Child,
  child,
  childLogLines,
  command,
  commitCeiling,
  cpuSeconds,
  type Harness,
  median,
  node,
  openCommitLoop,
  openLoopPlays,
  progress,
  type Result,
  type Run,
  startHarness,
  stopChild,
} from './harness.js';

export interface RuntimeBenchOptions {
  events?: number;
  concurrency?: number;
  rounds?: number;
  warmup?: number;
  profile?: boolean;
  /** Open-loop offered rates (events/s); empty skips the open loop. */
  openRates?: number[];
  openSeconds?: number;
  pool?: number;
  /** List when the engine's slow open-loop events (> 25 ms) happened, in bursts (stderr). */
  trace?: boolean;
  /** Peers measured like the in-memory handler: `file` speaks memory-handler.mjs's protocol. */
  peers?: { key: string; label: string; file: string; usesPostgres: boolean }[];
}

/** CPU per event of one target's closed loop (ms), and of Postgres meanwhile. */
export interface CpuPerEvent {
  processMs: number;
  pgMs: number;
}

export interface RuntimeBenchResult {
  config: Required<Omit<RuntimeBenchOptions, 'peers' | 'trace'>> & { peers: string[] };
  /** Per round: target key (`engine`, `ceiling`, `memory`, `open1000`, `openMemory1000`, …) → figures. */
  rounds: Record<string, Result>[];
  /** Medians over rounds, same keys. */
  medians: Record<string, Result>;
  /** Medians of per-round ratios of the engine's closed-loop rate to each other target's. */
  engineOver: Record<string, number>;
  /** Per closed-loop event, medians over rounds: target key → CPU. */
  cpu: Record<string, CpuPerEvent>;
  /** The driver and the fake ACS (this process), per engine event. */
  driverCpuMs: number;
  walBytesPerEvent: number;
  /** Rows, WAL records and sizes per applied engine event (text). */
  tableReport: string[];
  engineLogLines: number;
  /** Callbacks answered 503 and sent again (as ACS would). */
  retried503: number;
}

export const loopFlow: FlowDocument = {
  schemaVersion: 1,
  name: 'Bench loop',
  nodes: [
    node('start', 'trigger.incomingCall'),
    node('answer', 'call.answer'),
    node('play', 'media.play', { text: 'Hi' }),
  ],
  edges: [
    { id: 'e1', source: 'start', sourceOutcome: 'next', target: 'answer' },
    { id: 'e2', source: 'answer', sourceOutcome: 'connected', target: 'play' },
    { id: 'e3', source: 'play', sourceOutcome: 'completed', target: 'play' },
  ],
};

const medianResult = (rs: Result[]): Result => ({
  perSecond: median(rs.map((r) => r.perSecond)),
  p50: median(rs.map((r) => r.p50)),
  p99: median(rs.map((r) => r.p99)),
  n: median(rs.map((r) => r.n)),
});

export async function runtimeBench(options: RuntimeBenchOptions = {}): Promise<RuntimeBenchResult> {
  const EVENTS = options.events ?? 3000;
  const CONCURRENCY = options.concurrency ?? 32;
  const ROUNDS = options.rounds ?? 3;
  const WARMUP = options.warmup ?? 2000;
  const PROFILE = options.profile ?? false;
  const OPEN_RATES = options.openRates ?? [500, 1000];
  const OPEN_SECONDS = options.openSeconds ?? 4;
  const POOL = options.pool ?? Math.min(CONCURRENCY, 20);
  const peers = options.peers ?? [];
  const PHASE_SECONDS = 30;
  /** Runs per target: the closed loop drives CONCURRENCY of them, the open loop all of them. */
  const RUNS = Math.max(CONCURRENCY, 64);

  const h: Harness = await startHarness({
    pool: POOL,
    maxSockets: CONCURRENCY * 2,
    phaseSeconds: PHASE_SECONDS,
  });
  const { driver, env, postmaster } = h;
  const profileDir = join(h.base, 'profile');
  await mkdir(profileDir, { recursive: true });
  const procs: Child[] = [];
  const rounds: Record<string, Result>[] = [];
  const cpuRounds: Record<string, CpuPerEvent>[] = [];
  const driverCpu: number[] = [];
  const wal: number[] = [];
  const tableReport: string[] = [];
  let engineLogLines: number | undefined;
  let openStats: pg.Client | undefined;
  try {
    progress(
      `runtime benchmark: ${EVENTS} events × ${ROUNDS} rounds per target, concurrency ${CONCURRENCY}, pool ${POOL}${PROFILE ? ', engine phases CPU-profiled' : ''}${peers.length ? `, peers: ${peers.map((p) => p.label).join(', ')}` : ''}`,
    );
    // The engine logs at info, as in production; its stdout is discarded, not a terminal.
    const engine = await child('engine-process.mjs', { env, flow: loopFlow, runs: RUNS });
    procs.push(engine);
    const memory = await child('memory-handler.mjs', { env, flow: loopFlow, runs: RUNS });
    procs.push(memory);
    const others: { key: string; label: string; c: Child; usesPostgres: boolean }[] = [
      { key: 'memory', label: 'in-memory', c: memory, usesPostgres: false },
    ];
    for (const p of peers) {
      const c = await child(p.file, { env, flow: loopFlow, runs: RUNS });
      procs.push(c);
      others.push({ key: p.key, label: p.label, c, usesPostgres: p.usesPostgres });
    }
    await driver.connect(engine.url, engine.runs);
    for (const o of others) await driver.connect(o.c.url, o.c.runs);
    if (WARMUP > 0) {
      progress(`  warm-up: ${WARMUP} events each`);
      for (const t of [{ label: 'engine', c: engine }, ...others])
        await driver.drive(`warm-up ${t.label}`, t.c.url, t.c.runs.slice(0, CONCURRENCY), WARMUP);
    }
    const linesBefore = childLogLines('engine-process.mjs');
    const stats = new pg.Client({ connectionString: h.databaseUrl });
    openStats = stats;
    // Postgres stops under it when a phase fails: the failure is reported, not this.
    stats.on('error', () => {});
    await stats.connect();
    const closedRuns = (runs: Run[]) => runs.slice(0, CONCURRENCY);
    const before = await pgSnapshot(stats);
    const sizes = () =>
      stats.query<{ relname: string; bytes: string }>(
        `SELECT ${TABLE_OF} AS relname, sum(pg_total_relation_size(oid))::text AS bytes FROM pg_class
         WHERE ${TABLE_OF} IN ('Run', 'RunStep', 'OutboxAction') AND relkind = 'r' GROUP BY 1`,
      );
    const sizesBefore = (await sizes()).rows;
    /** A closed loop of `c` with the CPU of its process and of Postgres per event. */
    const measured = async (label: string, c: Child) => {
      const pg0 = cpuSeconds(postmaster, true);
      const p0 = cpuSeconds(c.proc.pid!);
      const d0 = process.cpuUsage();
      const r = await driver.drive(label, c.url, closedRuns(c.runs), EVENTS);
      const d = process.cpuUsage(d0);
      return {
        r,
        cpu: {
          processMs: ((cpuSeconds(c.proc.pid!) - p0) * 1000) / r.n,
          pgMs: ((cpuSeconds(postmaster, true) - pg0) * 1000) / r.n,
        },
        driverMs: (d.user + d.system) / 1000 / r.n,
      };
    };
    for (let r = 0; r < ROUNDS; r++) {
      const round: Record<string, Result> = {};
      const cpu: Record<string, CpuPerEvent> = {};
      if (PROFILE) await command(engine.proc, { type: 'profile', action: 'start' }, 'profiled');
      const lsn0 = (await pgSnapshot(stats)).lsn;
      const e = await measured(`round ${r + 1} engine`, engine);
      round.engine = e.r;
      cpu.engine = e.cpu;
      driverCpu.push(e.driverMs);
      wal.push((lsnBytes((await pgSnapshot(stats)).lsn) - lsnBytes(lsn0)) / e.r.n);
      if (PROFILE) {
        const file = join(profileDir, `engine-round-${r + 1}.cpuprofile`);
        await command(engine.proc, { type: 'profile', action: 'stop', file }, 'profiled');
      }
      const ceilingOpts = { concurrency: CONCURRENCY, pool: POOL, phaseSeconds: PHASE_SECONDS };
      round.ceiling = await commitCeiling(h.databaseUrl, EVENTS, {
        ...ceilingOpts,
        syncOff: false,
      });
      round.ceilingAsync = await commitCeiling(h.databaseUrl, EVENTS, {
        ...ceilingOpts,
        syncOff: true,
      });
      for (const o of others) {
        const m = await measured(`round ${r + 1} ${o.label}`, o.c);
        round[o.key] = m.r;
        cpu[o.key] = o.usesPostgres ? m.cpu : { processMs: m.cpu.processMs, pgMs: 0 };
      }
      for (const rate of OPEN_RATES) {
        progress(`  … round ${r + 1}: open loop at ${rate}/s for ${OPEN_SECONDS} s per target`);
        const open = await openLoopPlays(driver, engine.url, engine.runs, rate, OPEN_SECONDS);
        round[`open${rate}`] = open.result;
        if (options.trace) traceBursts(`round ${r + 1} engine at ${rate}/s`, open);
        for (const o of others)
          round[`open${cap(o.key)}${rate}`] = (
            await openLoopPlays(driver, o.c.url, o.c.runs, rate, OPEN_SECONDS)
          ).result;
        round[`openCeiling${rate}`] = await openCommitLoop(h.databaseUrl, rate, OPEN_SECONDS, POOL);
      }
      progress(
        `  round ${r + 1}: engine ${round.engine.perSecond.toFixed(0)}/s p99 ${round.engine.p99.toFixed(1)} ms | ceiling ${round.ceiling.perSecond.toFixed(0)}/s | ${others.map((o) => `${o.label} ${round[o.key]!.perSecond.toFixed(0)}/s`).join(' | ')} | engine CPU ${cpu.engine.processMs.toFixed(2)} + Postgres ${cpu.engine.pgMs.toFixed(2)} ms/event`,
      );
      rounds.push(round);
      cpuRounds.push(cpu);
    }
    // Tuple counters are flushed by backends lazily: read them after the engine's pool is gone.
    await stopChild(engine.proc);
    engineLogLines = childLogLines('engine-process.mjs') - linesBefore;
    await new Promise((r) => setTimeout(r, 1500));
    const after = await pgSnapshot(stats);
    const sizesAfter = (await sizes()).rows;
    const cols = await stats.query<Record<string, string>>(
      `SELECT (SELECT avg(pg_column_size(state))::int FROM "Run") AS "Run.state",
              (SELECT avg(pg_column_size(r.*))::int FROM "Run" r) AS "Run row",
              (SELECT avg(pg_column_size(event))::int FROM "RunStep") AS "RunStep.event",
              (SELECT avg(pg_column_size(trace))::int FROM "RunStep") AS "RunStep.trace",
              (SELECT avg(pg_column_size(actions))::int FROM "RunStep") AS "RunStep.actions",
              (SELECT avg(pg_column_size(s.*))::int FROM "RunStep" s) AS "RunStep row",
              (SELECT avg(pg_column_size(action))::int FROM "OutboxAction") AS "OutboxAction.action",
              (SELECT avg(pg_column_size(o.*))::int FROM "OutboxAction" o) AS "OutboxAction row"`,
    );
    openStats = undefined;
    await stats.end();
    // Per applied event = per RunStep row (counters are flushed lazily).
    const stepRow = (t: { relname: string; ins: string }[]) =>
      Number(t.find((x) => x.relname === 'RunStep')!.ins);
    const steps = stepRow(after.tables) - stepRow(before.tables);
    const per = (a: string, b: string) => ((Number(a) - Number(b)) / steps).toFixed(2);
    tableReport.push(
      `stored sizes (avg bytes): ${Object.entries(cols.rows[0]!)
        .map(([k, v]) => `${k} ${v ?? 'n/a (none left)'}`)
        .join(', ')}`,
    );
    tableReport.push(
      ...after.tables.map((t) => {
        const b = before.tables.find((x) => x.relname === t.relname)!;
        const sa = sizesAfter.find((x) => x.relname === t.relname)!.bytes;
        const sb = sizesBefore.find((x) => x.relname === t.relname)!.bytes;
        return `${t.relname.padEnd(13)} inserts ${per(t.ins, b.ins)}  updates ${per(t.upd, b.upd)} (HOT ${per(t.hot, b.hot)})  deletes ${per(t.del, b.del)}  size +${per(sa, sb)} B (heap+indexes+toast)`;
      }),
    );
    tableReport.push(
      `WAL records ${per(after.wal.r, before.wal.r)}, full-page images ${per(after.wal.f, before.wal.f)} per event (whole run)`,
    );
    // Before the harness goes: the profiles are in its temporary folder.
    if (PROFILE) summariseProfile(profileDir);
  } finally {
    await openStats?.end().catch(() => {});
    for (const p of procs) await stopChild(p.proc);
    await h.stop();
  }

  const keys = Object.keys(rounds[0] ?? {});
  const medians = Object.fromEntries(keys.map((k) => [k, medianResult(rounds.map((r) => r[k]!))]));
  // Ratios within each round (same machine load for all targets), then their median.
  const engineOver = Object.fromEntries(
    ['ceiling', 'memory', ...peers.map((p) => p.key)].map((k) => [
      k,
      median(rounds.map((r) => r.engine!.perSecond / r[k]!.perSecond)),
    ]),
  );
  const cpu = Object.fromEntries(
    Object.keys(cpuRounds[0] ?? {}).map((k) => [
      k,
      {
        processMs: median(cpuRounds.map((c) => c[k]!.processMs)),
        pgMs: median(cpuRounds.map((c) => c[k]!.pgMs)),
      },
    ]),
  );
  return {
    config: {
      events: EVENTS,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      warmup: WARMUP,
      profile: PROFILE,
      openRates: OPEN_RATES,
      openSeconds: OPEN_SECONDS,
      pool: POOL,
      peers: peers.map((p) => p.key),
    },
    rounds,
    medians,
    engineOver,
    cpu,
    driverCpuMs: median(driverCpu),
    walBytesPerEvent: median(wal),
    tableReport,
    engineLogLines: engineLogLines ?? 0,
    retried503: driver.retried,
  };
}

/** Slow events (> 25 ms) grouped into bursts (arrivals within 50 ms): when, how many, worst. */
function traceBursts(label: string, open: { latencies: number[]; starts: number[] }): void {
  const slow = open.starts
    .map((t, i): [number, number] => [t, open.latencies[i]!])
    .filter(([, l]) => l > 25)
    .sort((a, b) => a[0] - b[0]);
  if (slow.length === 0) return;
  const bursts: string[] = [];
  let start = slow[0]![0];
  let last = start;
  let n = 0;
  let worst = 0;
  for (const [t, l] of [...slow, [Infinity, 0] as [number, number]]) {
    if (t - last > 50) {
      bursts.push(`${(start / 1000).toFixed(2)}s ×${n} max ${worst.toFixed(0)} ms`);
      start = t;
      n = 0;
      worst = 0;
    }
    last = t;
    n++;
    worst = Math.max(worst, l);
  }
  progress(`  … ${label}: slow (> 25 ms) bursts: ${bursts.join('; ')}`);
}

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** A table's name, its partitions counted as the partitioned table ("RunStep_p20261211" → RunStep). */
const TABLE_OF = `regexp_replace(relname, '^RunStep_(p\\d{8}|default)$', 'RunStep')`;

/** What Postgres did during an engine phase: WAL position, WAL records, tuples written. */
async function pgSnapshot(client: pg.Client) {
  const wal = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  const w = await client.query<{ r: string; f: string }>(
    'SELECT wal_records::text AS r, wal_fpi::text AS f FROM pg_stat_wal',
  );
  const t = await client.query<{
    relname: string;
    ins: string;
    upd: string;
    hot: string;
    del: string;
  }>(
    `SELECT ${TABLE_OF} AS relname, sum(n_tup_ins)::text AS ins, sum(n_tup_upd)::text AS upd,
       sum(n_tup_hot_upd)::text AS hot, sum(n_tup_del)::text AS del
     FROM pg_stat_user_tables WHERE ${TABLE_OF} IN ('Run', 'RunStep', 'OutboxAction') GROUP BY 1`,
  );
  return { lsn: wal.rows[0]!.lsn, wal: w.rows[0]!, tables: t.rows };
}
const lsnBytes = (lsn: string) => {
  const [hi, lo] = lsn.split('/');
  return parseInt(hi!, 16) * 2 ** 32 + parseInt(lo!, 16);
};

/** The figures as text (what the script prints). */
export function printRuntimeBench(r: RuntimeBenchResult): void {
  const m = r.medians;
  const { events, rounds, concurrency } = r.config;
  console.log(
    `\nMedians over ${rounds} rounds of ${events} events, concurrency ${concurrency} (latency: POST → action at the fake ACS; ceiling = BEGIN → COMMIT):\n`,
  );
  console.log(
    '  what                                   events/s   p50 ms   p99 ms   engine ÷ this',
  );
  const rows: [string, string][] = [
    ['engine (HTTP + JWT + Postgres + SDK)', 'engine'],
    ['commit ceiling (BEGIN;INSERT;COMMIT)', 'ceiling'],
    ['in-memory handler (HTTP+JWT+SDK)', 'memory'],
    ...r.config.peers.map((k): [string, string] => [`peer: ${k}`, k]),
    ['ceiling, synchronous_commit=off *', 'ceilingAsync'],
  ];
  for (const [label, key] of rows) {
    const x = m[key]!;
    console.log(
      `  ${label.padEnd(38)} ${x.perSecond.toFixed(0).padStart(8)} ${x.p50.toFixed(2).padStart(8)} ${x.p99.toFixed(2).padStart(8)}   ${(m.engine!.perSecond / x.perSecond).toFixed(2).padStart(6)}`,
    );
  }
  console.log(
    `\n  per-round ratios (median): ${Object.entries(r.engineOver)
      .map(([k, v]) => `engine ÷ ${k} ${v.toFixed(2)}`)
      .join(', ')}`,
  );
  console.log(
    '  * not durable: a reference for what the fsync costs; the engine always commits synchronously.',
  );
  for (const rate of r.config.openRates) {
    const f = (k: string) =>
      m[k]
        ? `${m[k].perSecond.toFixed(0)}/s p50 ${m[k].p50.toFixed(2)} p99 ${m[k].p99.toFixed(2)} ms`
        : '-';
    console.log(
      `  open loop ${rate}/s offered (${r.config.openSeconds} s): engine ${f(`open${rate}`)} | in-memory ${f(`openMemory${rate}`)} | ${r.config.peers.map((k) => `${k} ${f(`open${cap(k)}${rate}`)} | `).join('')}commit ceiling ${f(`openCeiling${rate}`)}`,
    );
  }
  console.log(
    `\n  CPU per closed-loop event (medians): ${Object.entries(r.cpu)
      .map(([k, c]) => `${k} ${c.processMs.toFixed(2)} + Postgres ${c.pgMs.toFixed(2)} ms`)
      .join(
        '; ',
      )}; driver and fake ACS ${r.driverCpuMs.toFixed(2)} ms; WAL ${r.walBytesPerEvent.toFixed(0)} B`,
  );
  console.log('  rows per engine event (whole run, incl. warm-up and open loop):');
  for (const l of r.tableReport) console.log(`    ${l}`);
  console.log(`  engine log lines (LOG_LEVEL=info) during the rounds: ${r.engineLogLines}`);
  if (m.open1000) {
    const done = m.open1000.perSecond;
    const p99 = m.open1000.p99;
    console.log(
      `  target: 1000 events/s offered, all carried (${done.toFixed(0)}/s) with p99 < 25 ms (${p99.toFixed(1)} ms) → ${done >= 990 && p99 < 25 ? 'met' : 'NOT met'}${r.config.profile ? ' (profiled run: the sampling profiler slows the engine)' : ''}`,
    );
  }
}

/** Self time by owner, module and function from V8 .cpuprofile files. */
function summariseProfile(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) {
    console.log('  (no profile written)');
    return;
  }
  type ProfileNode = {
    id: number;
    hitCount: number;
    children?: number[];
    callFrame: { functionName: string; url: string; lineNumber: number };
  };
  const moduleOf = (url: string) => {
    if (!url) return '(native/vm)';
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (nm) return nm[1]!;
    const ws = /\/(engine|flow|emulator)\/dist\/(.*)$/.exec(url);
    if (ws) return `${ws[1]}/${ws[2]}`;
    if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
    return url;
  };
  const byFn = new Map<string, number>();
  const byModule = new Map<string, number>();
  // Native and node: frames charged to the nearest library or engine frame that called them.
  const byOwner = new Map<string, number>();
  /** Native frames by their direct caller (what writev, run, … were called for). */
  const nativeCallers = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let total = 0;
  for (const file of files) {
    const nodes = (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[] })
      .nodes;
    const parent = new Map<number, ProfileNode>();
    for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n);
    for (const n of nodes) {
      if (n.hitCount === 0) continue;
      total += n.hitCount;
      const cf = n.callFrame;
      add(
        byFn,
        `${cf.functionName || '(anonymous)'} ${moduleOf(cf.url)}:${cf.lineNumber + 1}`,
        n.hitCount,
      );
      add(byModule, cf.url ? moduleOf(cf.url) : cf.functionName, n.hitCount);
      let owner: ProfileNode | undefined = n;
      while (owner && (!owner.callFrame.url || owner.callFrame.url.startsWith('node:')))
        owner = parent.get(owner.id);
      add(
        byOwner,
        owner ? moduleOf(owner.callFrame.url) : `${cf.functionName || cf.url} (no JS caller)`,
        n.hitCount,
      );
      if (!cf.url) {
        const p = parent.get(n.id)?.callFrame;
        const caller = p
          ? `${p.functionName || '(anonymous)'} ${moduleOf(p.url)}:${p.lineNumber + 1}`
          : '(root)';
        add(nativeCallers, `${cf.functionName} ← ${caller}`, n.hitCount);
      }
    }
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([key, hits]) => `    ${((100 * hits) / total).toFixed(1).padStart(5)}%  ${key}`)
      .join('\n');
  console.log(
    `\nEngine CPU profile of the measured engine phases (${files.length} file(s), ${total} samples of 0.5 ms; idle = waiting):`,
  );
  console.log('  by owner (library or engine file, with the node: and native code it called):');
  console.log(top(byOwner, 25));
  console.log('  by module (self time):');
  console.log(top(byModule, 15));
  console.log('  by function (self time):');
  console.log(top(byFn, 25));
  console.log('  native frames by direct caller:');
  console.log(top(nativeCallers, 15));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const kill = setTimeout(() => {
    console.error('benchmark exceeded 600 s');
    process.exit(2);
  }, 600_000);
  kill.unref();
  const env = process.env;
  const r = await runtimeBench({
    events: Number(env.BENCH_EVENTS ?? 3000),
    concurrency: Number(env.BENCH_CONCURRENCY ?? 32),
    rounds: Number(env.BENCH_ROUNDS ?? 3),
    warmup: Number(env.BENCH_WARMUP ?? 2000),
    profile: env.BENCH_PROFILE === '1',
    trace: env.BENCH_TRACE === '1',
    openRates: (env.BENCH_OPEN_RATES ?? '500,1000').split(',').filter(Boolean).map(Number),
    openSeconds: Number(env.BENCH_OPEN_SECONDS ?? 4),
    ...(env.BENCH_POOL ? { pool: Number(env.BENCH_POOL) } : {}),
  });
  printRuntimeBench(r);
  process.exit(0);
}
