/**
 * The callback hot path with and without the retention job running beside it: an open loop of
 * PlayCompleted callbacks at a fixed rate (latency from the scheduled arrival, queueing
 * included, as in runtime.bench.ts) against the real engine (a child process, from dist/) on a
 * durable embedded Postgres, first alone, then while the engine's own retention round
 * (RetentionService.prune, in the engine's process as in production) prunes a generated
 * backlog past the window: whole days dropped as partitions, and one day held back by a live
 * run whose ended runs' rows are deleted batch by batch. Prints both side by side, and the
 * events that arrived while the round ran.
 *
 *   npx tsc -b && npx tsx bench/retention.bench.ts
 *   BENCH_RETENTION_RATE=300 BENCH_RETENTION_SECONDS=8 BENCH_RETENTION_RUNS_PER_DAY=10000 \
 *     BENCH_RETENTION_STEPS=6 BENCH_RETENTION_DAYS=3 BENCH_RETENTION_ROUNDS=2 npx tsx bench/retention.bench.ts
 *
 * `retentionBench(options)` runs it and returns the figures (for a bench orchestrator).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { exportJWK, SignJWT } from 'jose';
import pg from 'pg';
import { defaultConfig, type FlowDocument } from '@switchboard/flow';

export interface RetentionBenchOptions {
  /** Callbacks offered per second. */
  rate: number;
  /** Seconds of the open loop alone; with retention it lasts at least this, and until the round is done. */
  seconds: number;
  /** Backlog: runs per day past the window, and steps per run. */
  runsPerDay: number;
  stepsPerRun: number;
  /** Backlog days dropped whole per round (one more day is held back by a live run). */
  days: number;
  rounds: number;
}

export interface LoadFigures {
  offered: number;
  done: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

export interface RetentionBenchRound {
  alone: LoadFigures;
  withRetention: LoadFigures;
  /** The events whose arrival fell while the retention round ran. */
  duringRound: LoadFigures;
  roundMs: number;
  partitionsDropped: number;
  rowsDeleted: { runs: number; steps: number };
}

export interface RetentionBenchResult {
  options: RetentionBenchOptions;
  backlogSteps: number;
  rounds: RetentionBenchRound[];
}

const DAY_MS = 86_400_000;
const RUNS = 64;
const here = fileURLToPath(new URL('.', import.meta.url));

export const optionsFromEnv = (env = process.env): RetentionBenchOptions => ({
  rate: Number(env.BENCH_RETENTION_RATE ?? 300),
  seconds: Number(env.BENCH_RETENTION_SECONDS ?? 8),
  runsPerDay: Number(env.BENCH_RETENTION_RUNS_PER_DAY ?? 10_000),
  stepsPerRun: Number(env.BENCH_RETENTION_STEPS ?? 6),
  days: Number(env.BENCH_RETENTION_DAYS ?? 3),
  rounds: Number(env.BENCH_RETENTION_ROUNDS ?? 2),
});

const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({
  id,
  type,
  position: { x: 0, y: 0 },
  config: { ...(defaultConfig(type) ?? {}), ...config },
});
/** Every PlayCompleted yields one play (the node loops on itself), as in runtime.bench.ts. */
const flow: FlowDocument = {
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

const now = () => Number(process.hrtime.bigint()) / 1e6;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    50,
  );
const nextContext = (ctx: string) => {
  const i = ctx.lastIndexOf(':');
  return `${ctx.slice(0, i)}:${Number(ctx.slice(i + 1)) + 1}`;
};
const wallTime = (t: number) => new Date(t).toISOString().replace('T', ' ').replace('Z', '');
const partitionName = (day: number) =>
  `RunStep_p${new Date(day).toISOString().slice(0, 10).replace(/-/g, '')}`;

interface Run {
  runId: string;
  context: string;
}
interface Sample {
  /** Scheduled arrival (hrtime ms). */
  at: number;
  latency: number;
}

function figures(samples: Sample[], offered: number, secs: number): LoadFigures {
  const l = samples.map((s) => s.latency).sort((a, b) => a - b);
  return {
    offered,
    done: l.length,
    perSecond: l.length / secs,
    p50: pct(l, 50),
    p99: pct(l, 99),
    max: l.at(-1) ?? NaN,
  };
}

/** Callbacks with pre-signed tokens over keep-alive HTTP; waits for the action at the fake ACS. */
class Driver {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: RUNS * 2 });
  private readonly waiters = new Map<string, (at: number) => void>();
  private n = 0;

  constructor(private readonly tokens: string[]) {}

  /** The fake ACS's [operationContext, arrival, …] batches (an arrival: { at, kind, … }). */
  arrived(batch: (string | { at: number })[]): void {
    for (let i = 0; i < batch.length; i += 2) {
      const w = this.waiters.get(batch[i] as string);
      if (w) {
        this.waiters.delete(batch[i] as string);
        w((batch[i + 1] as { at: number }).at);
      }
    }
  }

  expect(context: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.delete(context);
        reject(new Error(`no action ${context} within 30 s`));
      }, 30_000);
      this.waiters.set(context, (at) => {
        clearTimeout(t);
        resolve(at);
      });
    });
  }

  post(url: string, type: string, data: Record<string, unknown>, attempt = 0): Promise<void> {
    const body = JSON.stringify([
      {
        id: randomUUID(),
        source: 'bench',
        type: `Microsoft.Communication.${type}`,
        data,
        time: new Date().toISOString(),
        specversion: '1.0',
        subject: 'bench',
      },
    ]);
    const token = this.tokens[this.n++ % this.tokens.length]!;
    return new Promise<void>((resolve, reject) => {
      const req = http.request(
        `${url}/api/acs/callbacks`,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve()
              : reject(
                  new Error(
                    `callback answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`,
                  ),
                ),
          );
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A keep-alive socket the server closed as we reused it: the request never arrived.
        // (After the backlog is generated many pooled sockets are stale: try a few.)
        if (req.reusedSocket && e.code === 'ECONNRESET' && attempt < 10)
          this.post(url, type, data, attempt + 1).then(resolve, reject);
        else reject(e);
      });
      req.end(body);
    });
  }

  /** One PlayCompleted for `run`, resolving with the latency from `at`. */
  async step(url: string, run: Run, at: number): Promise<number> {
    const next = nextContext(run.context);
    const acted = this.expect(next);
    try {
      await this.post(url, 'PlayCompleted', {
        callConnectionId: `cc-${run.runId}`,
        operationContext: run.context,
        resultInformation: { code: 200, subCode: 0 },
      });
    } catch (e) {
      acted.catch(() => undefined);
      throw e;
    }
    const arrived = await acted;
    run.context = next;
    return arrived - at;
  }

  async connect(url: string, runs: Run[]): Promise<void> {
    await Promise.all(
      runs.map(async (run) => {
        const next = nextContext(run.context);
        const acted = this.expect(next);
        await this.post(url, 'CallConnected', {
          callConnectionId: `cc-${run.runId}`,
          operationContext: run.context,
          resultInformation: { code: 200 },
        });
        await acted;
        run.context = next;
      }),
    );
  }
}

/**
 * Open loop (runtime.bench.ts's): arrivals at a fixed `rate` for at least `seconds` and until
 * `more()` says stop, each on a free run; latency from the scheduled arrival.
 */
async function openLoop(
  driver: Driver,
  url: string,
  runs: Run[],
  rate: number,
  seconds: number,
  more: () => boolean = () => false,
): Promise<{ samples: Sample[]; offered: number; secs: number }> {
  const samples: Sample[] = [];
  const free = [...runs];
  const due: number[] = [];
  const busy = new Set<Promise<void>>();
  const t0 = now();
  let scheduled = 0;
  let failed: unknown;
  const pump = () => {
    const t = now();
    const open = t - t0 < seconds * 1000 || more();
    while (open && t0 + (scheduled * 1000) / rate <= t) due.push(t0 + (scheduled++ * 1000) / rate);
    while (due.length > 0 && free.length > 0) {
      const run = free.shift()!;
      const at = due.shift()!;
      const p = driver
        .step(url, run, at)
        .then((latency) => void samples.push({ at, latency }))
        .catch((e: unknown) => void (failed ??= e))
        .finally(() => {
          busy.delete(p);
          free.push(run);
          pump();
        });
      busy.add(p);
    }
    return open;
  };
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      if (!pump() && due.length === 0) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  while (busy.size > 0) await Promise.all([...busy]);
  if (failed) throw failed;
  return { samples, offered: scheduled, secs: (now() - t0) / 1000 };
}

/**
 * A backlog past the window (30 days, the default): `days` whole days of ended runs (each
 * dropped as a partition) and one more day of ended runs plus one live run (its partition is
 * held; its ended runs' rows are deleted batch by batch). Days differ per round.
 */
async function backlog(db: pg.Client, o: RetentionBenchOptions, round: number): Promise<number> {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const days = [
    today - (31 + round) * DAY_MS, // held
    ...Array.from({ length: o.days }, (_, i) => today - (40 + round * o.days + i) * DAY_MS),
  ];
  const payload = JSON.stringify({ type: 'PlayCompleted', pad: 'x'.repeat(300) });
  let steps = 0;
  for (const [k, day] of days.entries()) {
    await db.query(
      `CREATE TABLE IF NOT EXISTS "${partitionName(day)}" PARTITION OF "RunStep"
       FOR VALUES FROM ('${wallTime(day)}') TO ('${wallTime(day + DAY_MS)}')`,
    );
    for (let from = 0; from < o.runsPerDay; from += 5000) {
      const n = Math.min(5000, o.runsPerDay - from);
      await db.query(
        `WITH r AS (
           INSERT INTO "Run" (id, "flowId", "flowVersionId", version, direction, status, "endReason",
             state, "stepCount", "startedAt", "updatedAt", "endedAt", "startedBy")
           SELECT md5($1 || ':' || i)::uuid::text, 'bench-backlog', 'v', 1, 'incoming', 'ended',
             'callerHungUp', '{}', $4, t, t, t + interval '2 minutes', 'bench'
           FROM generate_series($2::int, $2::int + $3::int - 1) AS i,
             LATERAL (SELECT $5::timestamp + make_interval(secs => i * 86000.0 / $6) AS t) AS x
           RETURNING id, "startedAt")
         INSERT INTO "RunStep" ("runId", seq, "eventId", "eventType", event, "nodeId", trace, actions,
           "receivedAt", "committedAt", "runStartedAt")
         SELECT r.id, s, r.id || ':' || s, 'PlayCompleted', $7::jsonb, 'play',
           '[{"at":0,"kind":"enter","nodeId":"play","type":"media.play"}]', '[]',
           r."startedAt", r."startedAt", r."startedAt"
         FROM r, generate_series(0, $4::int - 1) AS s`,
        [`${round}:${day}`, from, n, o.stepsPerRun, wallTime(day), o.runsPerDay, payload],
      );
      steps += n * o.stepsPerRun;
    }
    if (k === 0) {
      await db.query(
        `INSERT INTO "Run" (id, "flowId", "flowVersionId", version, direction, status, state,
           "startedAt", "startedBy") VALUES ($1, 'bench-backlog', 'v', 1, 'incoming', 'running',
           '{}', $2::timestamp, 'bench')`,
        [randomUUID(), wallTime(day + 3_600_000)],
      );
    }
    await db.query(
      `INSERT INTO "PathRollupHour" ("flowId", hour, paths)
       SELECT 'bench-backlog', $1::timestamp + make_interval(hours => h), '[]'
       FROM generate_series(0, 23) AS h ON CONFLICT DO NOTHING`,
      [wallTime(day)],
    );
  }
  await db.query('ANALYZE "Run"');
  await db.query('ANALYZE "RunStep"');
  return steps;
}

/** The engine child (engine-process.mjs): started, then driven over IPC. */
async function startEngineChild(
  env: Record<string, string>,
): Promise<{ proc: ChildProcess; url: string; runs: Run[] }> {
  const proc = fork(join(here, 'engine-process.mjs'), [], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  // The engine logs JSON at info, as in production; its warnings and errors are shown.
  let rest = '';
  proc.stdout!.on('data', (c: Buffer) => {
    const lines = (rest + c.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (/"level":(40|50|60)/.test(line)) console.log(`  engine: ${line}`);
  });
  const ready = await new Promise<{
    url: string;
    runs: { runId: string; operationContext: string }[];
  }>((resolve, reject) => {
    proc.on('message', (m: { type: string; message?: string }) => {
      if (m.type === 'ready') resolve(m as never);
      if (m.type === 'error') reject(new Error(`engine: ${m.message}`));
    });
    proc.on('exit', (code) => reject(new Error(`engine exited with ${code}`)));
    proc.send({ type: 'start', env, flow, runs: RUNS });
  });
  return {
    proc,
    url: ready.url,
    runs: ready.runs.map((r) => ({ runId: r.runId, context: r.operationContext })),
  };
}

interface PruneReport {
  partitionsDropped: string[];
  deleted: { runs: number; steps: number };
}
const pruneIn = (proc: ChildProcess) =>
  new Promise<PruneReport | undefined>((resolve, reject) => {
    const on = (m: { type: string; report?: PruneReport; message?: string }) => {
      if (m.type === 'pruned') {
        proc.off('message', on);
        resolve(m.report);
      }
      if (m.type === 'error') {
        proc.off('message', on);
        reject(new Error(m.message));
      }
    };
    proc.on('message', on);
    proc.send({ type: 'prune', now: Date.now() });
  });

export async function retentionBench(
  options: RetentionBenchOptions = optionsFromEnv(),
): Promise<RetentionBenchResult> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  const jwks = http.createServer((_q, s) => {
    s.writeHead(200, { 'content-type': 'application/json' });
    s.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  const tokens = await Promise.all(
    Array.from({ length: 64 }, (_, i) =>
      new SignJWT({ n: i })
        .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
        .setIssuer('bench')
        .setAudience('bench')
        .setIssuedAt()
        .setExpirationTime('30m')
        .sign(privateKey),
    ),
  );
  const driver = new Driver(tokens);
  const acs = new Worker(join(here, 'fake-acs.mjs'));
  const acsUrl = await new Promise<string>((resolve) => {
    acs.on('message', (m: { url?: string } | (string | { at: number })[]) => {
      if (Array.isArray(m)) driver.arrived(m);
      else if (m.url) resolve(m.url);
    });
  });
  const base = await mkdtemp(join(tmpdir(), 'switchboard-retention-bench-'));
  const { startEmbeddedPostgres } = await import('../dist/src/database/embedded-postgres.js');
  const { createLogger } = await import('../dist/src/logging/logger.js');
  const server = await startEmbeddedPostgres({
    dataDir: join(base, 'pg'),
    logger: createLogger('silent'),
  });
  let engine: Awaited<ReturnType<typeof startEngineChild>> | undefined;
  const db = new pg.Client({ connectionString: server.url, options: '-c TimeZone=UTC' });
  const result: RetentionBenchResult = { options, backlogSteps: 0, rounds: [] };
  try {
    engine = await startEngineChild({
      DATABASE_URL: server.url,
      PORT: '0',
      LOG_LEVEL: 'info',
      SWITCHBOARD_ADMIN_PASSWORD: 'bench-password',
      ACS_CONNECTION_STRING: `endpoint=${acsUrl}/;accesskey=${Buffer.from('bench-key').toString('base64')}`,
      ACS_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/keys`,
      ACS_CALLBACK_ISSUER: 'bench',
      ACS_CALLBACK_AUDIENCE: 'bench',
      ACS_EVENTGRID_SECRET: 'bench-event-grid-secret',
      ACS_COGNITIVE_SERVICES_ENDPOINT: 'https://bench.cognitiveservices.azure.com/',
    });
    await db.connect();
    await driver.connect(engine.url, engine.runs);
    // Warm-up: plans cached, connections open, JIT-free steady state.
    await openLoop(driver, engine.url, engine.runs, options.rate, 2);
    for (let r = 0; r < options.rounds; r++) {
      const alone = await openLoop(driver, engine.url, engine.runs, options.rate, options.seconds);
      process.stdout.write(`  round ${r + 1}: generating the backlog…`);
      const t = performance.now();
      const steps = await backlog(db, options, r);
      result.backlogSteps = steps;
      process.stdout.write(
        ` ${steps.toLocaleString('en')} steps in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
      );
      let done = false;
      let span = [Infinity, Infinity];
      let report: PruneReport | undefined;
      const pruning = (async () => {
        await new Promise((res) => setTimeout(res, 1000));
        const t0 = now();
        report = await pruneIn(engine!.proc);
        span = [t0, now()];
        done = true;
      })();
      const withRetention = await openLoop(
        driver,
        engine.url,
        engine.runs,
        options.rate,
        options.seconds,
        () => !done || now() - span[1]! < 500,
      );
      await pruning;
      const during = withRetention.samples.filter((s) => s.at >= span[0]! && s.at <= span[1]!);
      const roundMs = span[1]! - span[0]!;
      const entry: RetentionBenchRound = {
        alone: figures(alone.samples, alone.offered, alone.secs),
        withRetention: figures(withRetention.samples, withRetention.offered, withRetention.secs),
        duringRound: figures(during, during.length, roundMs / 1000),
        roundMs,
        partitionsDropped: report?.partitionsDropped.length ?? 0,
        rowsDeleted: { runs: report?.deleted.runs ?? 0, steps: report?.deleted.steps ?? 0 },
      };
      result.rounds.push(entry);
      process.stdout.write(
        `  round ${r + 1}: retention round ${roundMs.toFixed(0)} ms (${entry.partitionsDropped} partitions dropped, ${entry.rowsDeleted.runs.toLocaleString('en')} runs and ${entry.rowsDeleted.steps.toLocaleString('en')} steps deleted row by row)\n`,
      );
    }
  } finally {
    await db.end().catch(() => undefined);
    if (engine && engine.proc.exitCode === null) {
      const exited = new Promise<void>((r) => engine!.proc.once('exit', () => r()));
      engine.proc.send({ type: 'stop' });
      await exited;
    }
    acs.postMessage('close');
    await server.stop();
    jwks.close();
    driver.agent.destroy();
    await rm(base, { recursive: true, force: true });
  }
  return result;
}

/** The figures side by side: the open loop alone, with the retention round, during the round. */
export function printRetentionBench(r: RetentionBenchResult): void {
  const o = r.options;
  console.log(
    `\nRetention beside the hot path: open loop at ${o.rate}/s offered; backlog per round ${o.days} whole days + 1 held day × ${o.runsPerDay.toLocaleString('en')} runs × ${o.stepsPerRun} steps (${r.backlogSteps.toLocaleString('en')} steps); medians over ${r.rounds.length} round(s)\n`,
  );
  console.log(
    '  what                           offered     done   done/s   p50 ms   p99 ms   max ms',
  );
  const row = (label: string, pick: (x: RetentionBenchRound) => LoadFigures) => {
    const m = (f: keyof LoadFigures) => median(r.rounds.map((x) => pick(x)[f]));
    console.log(
      `  ${label.padEnd(30)} ${m('offered').toFixed(0).padStart(7)} ${m('done').toFixed(0).padStart(8)} ${m('perSecond').toFixed(0).padStart(8)} ${m('p50').toFixed(2).padStart(8)} ${m('p99').toFixed(2).padStart(8)} ${m('max').toFixed(1).padStart(8)}`,
    );
  };
  row('callbacks alone', (x) => x.alone);
  row('callbacks + retention round', (x) => x.withRetention);
  row('  … arriving during the round', (x) => x.duringRound);
  console.log(
    `\n  retention round: ${median(r.rounds.map((x) => x.roundMs)).toFixed(0)} ms median (${r.rounds.map((x) => `${x.roundMs.toFixed(0)} ms: ${x.partitionsDropped} partitions dropped, ${x.rowsDeleted.steps.toLocaleString('en')} steps deleted`).join('; ')})`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await retentionBench();
  printRetentionBench(r);
  process.exit(0);
}
