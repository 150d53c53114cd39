/**
 * What the callback benchmarks share (runtime.bench.ts and the root `npm run bench` phases):
 * an embedded, durable Postgres in a temp folder (WAL segments warmed), a JWKS server and
 * pre-signed callback tokens, the fake ACS in a child process, child processes that speak the
 * { start → ready, stop } IPC protocol (engine-process.mjs, memory-handler.mjs, peers), and
 * the load driver (closed loop, open loop) that times callback POST → action at the fake ACS.
 * Loopback only.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, SignJWT } from 'jose';
import pg from 'pg';
import { defaultConfig } from '@switchboard/flow';

export const here = fileURLToPath(new URL('.', import.meta.url));
export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
export const median = (xs: number[]) => pct(xs, 50);
/** Progress goes to stderr, so that stdout stays the figures. */
export const progress = (line: string) => process.stderr.write(`${line}\n`);

export interface Result {
  perSecond: number;
  p50: number;
  p99: number;
  n: number;
}
/** Rate and latency percentiles of a phase that completed `latencies` in `secs` seconds. */
export const result = (latencies: number[], secs: number): Result => ({
  perSecond: latencies.length / secs,
  p50: pct(latencies, 50),
  p99: pct(latencies, 99),
  n: latencies.length,
});

export interface Run {
  runId: string;
  /** The operationContext of the action the run waits on. */
  context: string;
}

/** What the fake ACS tells about each request: its key, arrival time and what it was. */
export interface Arrival {
  at: number;
  /** The request's path after the call connection (`:answer`, `…:recognize`, `…:transferToParticipant` …). */
  kind: string;
  operationContext?: string;
  /** For `:answer`: the call connection id the fake ACS gave the call. */
  callConnectionId?: string;
}

export const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({
  id,
  type,
  position: { x: 0, y: 0 },
  config: { ...(defaultConfig(type) ?? {}), ...config },
});

export const nextContext = (ctx: string) => {
  const i = ctx.lastIndexOf(':');
  return `${ctx.slice(0, i)}:${Number(ctx.slice(i + 1)) + 1}`;
};

const logLines = new Map<string, number>();
/** Log lines a child wrote to stdout (counted, not shown: the engine logs JSON at info). */
export const childLogLines = (file: string) => logLines.get(file) ?? 0;

export interface Child {
  proc: ChildProcess;
  url: string;
  runs: Run[];
  /** Everything else the child's `ready` message carried. */
  ready: Record<string, unknown>;
}

/** A child process speaking the { type: 'start' | 'ready' | 'stop' } protocol over IPC. */
export async function child(
  file: string,
  start: Record<string, unknown>,
  execArgv: string[] = [],
): Promise<Child> {
  const path = file.startsWith('/') ? file : join(here, file);
  const proc = fork(path, [], { execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  proc.stdout!.on('data', (c: Buffer) => {
    for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1))
      logLines.set(file, (logLines.get(file) ?? 0) + 1);
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    proc.on('message', (m: { type: string; message?: string }) => {
      if (m.type === 'ready') resolve(m as never);
      if (m.type === 'error') reject(new Error(`${file}: ${m.message}`));
    });
    proc.on('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    proc.send({ type: 'start', ...start });
  });
  const runs = (ready.runs ?? []) as { runId: string; operationContext: string }[];
  return {
    proc,
    url: ready.url as string,
    runs: runs.map((r) => ({ runId: r.runId, context: r.operationContext })),
    ready,
  };
}

/** Sends a message to a child and waits for its answer of type `reply`. */
export function command(
  proc: ChildProcess,
  message: Record<string, unknown>,
  reply: string,
): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type !== reply) return;
      proc.off('message', on);
      resolve(m as never);
    };
    proc.on('message', on);
    proc.send(message);
  });
}

export async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.send({ type: 'stop' });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/**
 * CPU seconds (user + system) of a process and, with `children`, of its children: the live ones
 * and those that have exited (a Postgres backend whose connection closed: the postmaster reaped
 * it, and its CPU is in the postmaster's cutime/cstime), so the sum never goes back.
 */
export function cpuSeconds(pid: number, children = false): number {
  const tick = 100; // USER_HZ
  let sum = 0;
  const read = (p: string) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      return {
        ppid: Number(rest[1]),
        cpu: (Number(rest[11]) + Number(rest[12])) / tick,
        reaped: (Number(rest[13]) + Number(rest[14])) / tick,
      };
    } catch {
      return undefined;
    }
  };
  const own = read(String(pid));
  sum += (own?.cpu ?? 0) + (children ? (own?.reaped ?? 0) : 0);
  if (children)
    for (const p of readdirSync('/proc')) {
      if (!/^\d+$/.test(p)) continue;
      const st = read(p);
      if (st && st.ppid === pid) sum += st.cpu;
    }
  return sum;
}

/** Resident set size of a process in MB (VmRSS). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export interface DriverOptions {
  tokens: string[];
  maxSockets: number;
  /** Seconds a closed-loop phase may take at most. */
  phaseSeconds: number;
}

/** The load driver: keep-alive HTTP, pre-signed tokens, waits for actions reported by the fake ACS. */
export class Driver {
  readonly agent: http.Agent;
  readonly waiters = new Map<string, (a: Arrival) => void>();
  private tokenIndex = 0;

  constructor(private readonly options: DriverOptions) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  }

  /** Called with the fake ACS's [key, arrival, key, arrival, …] batches. */
  arrived(batch: (string | Arrival)[]): void {
    for (let i = 0; i < batch.length; i += 2) {
      const key = batch[i] as string;
      const w = this.waiters.get(key);
      if (w) {
        this.waiters.delete(key);
        w(batch[i + 1] as Arrival);
      }
    }
  }

  /** 503s answered and retried (as ACS and Event Grid retry them). */
  retried = 0;

  /** POSTs `body` (JSON) with a callback token; resolves on 2xx. A 503 is retried, as ACS does. */
  async postJson(url: string, body: unknown): Promise<number> {
    const text = JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.postOnce(url, text);
      } catch (e) {
        // The server closed an idle keep-alive socket just as we reused it (its keepAliveTimeout
        // passed while another target was measured): the request never reached it, send it again.
        if ((e as { reusedSocket?: boolean }).reusedSocket) return this.postOnce(url, text);
        if ((e as { status?: number }).status !== 503 || attempt >= 5) throw e;
        this.retried++;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  /** A Call Automation callback (one CloudEvent) of `type` with `data`. */
  post(url: string, type: string, data: Record<string, unknown>): Promise<number> {
    return this.postJson(url, [
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
  }

  private postOnce(url: string, body: string): Promise<number> {
    const token = this.options.tokens[this.tokenIndex++ % this.options.tokens.length]!;
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
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
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(status);
            else
              reject(
                Object.assign(
                  new Error(
                    `${url} answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`,
                  ),
                  { status },
                ),
              );
          });
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        reject(
          req.reusedSocket && e.code === 'ECONNRESET'
            ? Object.assign(e, { reusedSocket: true })
            : e,
        );
      });
      req.end(body);
    });
  }

  /** Resolves with the arrival of the request keyed `key` (its operationContext) at the fake ACS. */
  expect(key: string, timeoutMs = 10_000): Promise<Arrival> {
    const p = new Promise<Arrival>((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`no action ${key} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiters.set(key, (a) => {
        clearTimeout(t);
        resolve(a);
      });
    });
    // Whoever awaits it sees the rejection; when the callback itself failed first, nobody does.
    p.catch(() => {});
    return p;
  }

  /** Delivers CallConnected to every run and waits for its first action. */
  async connect(url: string, runs: Run[]): Promise<void> {
    await Promise.all(
      runs.map(async (run) => {
        const next = nextContext(run.context);
        const acted = this.expect(next);
        await this.post(`${url}/api/acs/callbacks`, 'CallConnected', {
          callConnectionId: `cc-${run.runId}`,
          operationContext: run.context,
          resultInformation: { code: 200 },
        });
        await acted;
        run.context = next;
      }),
    );
  }

  /** One PlayCompleted to `run` at `url`: resolves with POST sent → next action at the fake ACS. */
  async playCompleted(url: string, run: Run): Promise<number> {
    const next = nextContext(run.context);
    const acted = this.expect(next);
    const at = now();
    await this.post(`${url}/api/acs/callbacks`, 'PlayCompleted', {
      callConnectionId: `cc-${run.runId}`,
      operationContext: run.context,
      resultInformation: { code: 200, subCode: 0 },
    });
    const ms = (await acted).at - at;
    run.context = next;
    return ms;
  }

  /**
   * Closed loop: one worker per run, PlayCompleted → wait for the next play; `events` in all.
   * `urls` (one or more targets) take the events in turn.
   */
  async drive(label: string, urls: string | string[], runs: Run[], events: number) {
    const targets = Array.isArray(urls) ? urls : [urls];
    const latencies: number[] = [];
    let sent = 0;
    const deadline = Date.now() + this.options.phaseSeconds * 1000;
    const t0 = now();
    const tick = setInterval(() => {
      const s = (now() - t0) / 1000;
      progress(
        `  … ${label}: ${latencies.length}/${events} events, ${(latencies.length / s).toFixed(0)}/s`,
      );
    }, 2000);
    try {
      await Promise.all(
        runs.map(async (run) => {
          while (sent < events && Date.now() < deadline) {
            const url = targets[sent++ % targets.length]!;
            latencies.push(await this.playCompleted(url, run));
          }
        }),
      );
    } finally {
      clearInterval(tick);
    }
    return result(latencies, (now() - t0) / 1000);
  }
}

/**
 * Open loop: `total` arrivals at a fixed `rate`, whatever the target's latency. `fire(at)` does
 * one and resolves with its end time; latency is counted from the scheduled arrival `at`, so
 * queueing behind a slow target counts (no coordinated omission). `slots` bounds how many are
 * in flight (an arrival waits for a free slot). Bounded in time: arrivals still waiting
 * `maxSeconds` after the start (default twice the schedule, plus 5 s) are dropped, so a target
 * that cannot carry the rate ends the phase with fewer events done (`result.n`), not a hang.
 */
export async function openLoop(
  rate: number,
  total: number,
  slots: number,
  fire: (at: number, slot: number) => Promise<number>,
  maxSeconds = (2 * total) / rate + 5,
): Promise<{ result: Result; latencies: number[]; starts: number[]; dropped: number }> {
  const latencies: number[] = [];
  const starts: number[] = [];
  const free = Array.from({ length: slots }, (_, i) => i);
  const due: number[] = [];
  const busy = new Set<Promise<void>>();
  const t0 = now();
  let scheduled = 0;
  let dropped = 0;
  let failed: unknown;
  const go = (slot: number, at: number) => {
    const p = fire(at, slot)
      .then((end) => {
        latencies.push(end - at);
        starts.push(at - t0);
      })
      .catch((e: unknown) => {
        failed ??= e;
      })
      .finally(() => {
        busy.delete(p);
        free.push(slot);
        pump();
      });
    busy.add(p);
  };
  const pump = () => {
    const t = now();
    if (t - t0 > maxSeconds * 1000) {
      dropped += due.length + (total - scheduled);
      due.length = 0;
      scheduled = total;
      return;
    }
    while (scheduled < total && t0 + (scheduled * 1000) / rate <= t)
      due.push(t0 + (scheduled++ * 1000) / rate);
    while (due.length > 0 && free.length > 0) go(free.shift()!, due.shift()!);
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      pump();
      if (scheduled >= total && due.length === 0) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  while (busy.size > 0) await Promise.all([...busy]);
  if (failed) throw failed;
  if (dropped > 0)
    progress(
      `  … open loop at ${rate}/s: ${dropped} of ${total} arrivals dropped (not carried in time)`,
    );
  return { result: result(latencies, (now() - t0) / 1000), latencies, starts, dropped };
}

/** PlayCompleted callbacks to `runs` at a fixed rate (one in flight per run). */
export async function openLoopPlays(
  driver: Driver,
  url: string,
  runs: Run[],
  rate: number,
  seconds: number,
) {
  return openLoop(rate, Math.round(rate * seconds), runs.length, async (_at, slot) => {
    const run = runs[slot]!;
    const next = nextContext(run.context);
    const acted = driver.expect(next);
    await driver.post(`${url}/api/acs/callbacks`, 'PlayCompleted', {
      callConnectionId: `cc-${run.runId}`,
      operationContext: run.context,
      resultInformation: { code: 200, subCode: 0 },
    });
    const arrived = (await acted).at;
    run.context = next;
    return arrived;
  });
}

/** BEGIN; INSERT one row; COMMIT — per "event", with `concurrency` workers on a pool of `pool`. */
export async function commitCeiling(
  url: string,
  events: number,
  opts: { syncOff: boolean; concurrency: number; pool: number; phaseSeconds: number },
): Promise<Result> {
  const pool = new pg.Pool({ connectionString: url, max: opts.pool });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_commit (id bigserial primary key, v text)');
  const latencies: number[] = [];
  let done = 0;
  const deadline = Date.now() + opts.phaseSeconds * 1000;
  const t0 = now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (done < events && Date.now() < deadline) {
        done++;
        const at = now();
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          if (opts.syncOff) await client.query('SET LOCAL synchronous_commit = off');
          await client.query('INSERT INTO bench_commit (v) VALUES ($1)', ['x']);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        latencies.push(now() - at);
      }
    }),
  );
  const secs = (now() - t0) / 1000;
  await pool.end();
  return result(latencies, secs);
}

/**
 * The commit ceiling as an open loop: BEGIN; INSERT; COMMIT arriving at a fixed rate (same pool
 * size), latency from the scheduled arrival. What the machine's durable commits alone do to the
 * tail at that rate — a floor under any engine that commits each event before answering.
 */
export async function openCommitLoop(
  url: string,
  rate: number,
  seconds: number,
  poolSize: number,
): Promise<Result> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_commit (id bigserial primary key, v text)');
  try {
    const r = await openLoop(rate, Math.round(rate * seconds), 100_000, async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO bench_commit (v) VALUES ($1)', ['x']);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      return now();
    });
    return r.result;
  } finally {
    await pool.end();
  }
}

/**
 * A fresh cluster has no WAL segment files to reuse: every 16 MB of WAL (about 5 s of callbacks
 * here) a backend stops to create and zero-fill the next one, a commit stall of 20+ ms that a
 * server which has run for a while (and recycles its segments after each checkpoint) does not
 * have. So, before measuring: keep 1 GB of segments, create them, and let a checkpoint recycle
 * them — the steady state, for every target alike.
 */
export async function warmWal(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`ALTER SYSTEM SET max_wal_size = '2GB'`);
    await client.query(`ALTER SYSTEM SET min_wal_size = '1GB'`);
    await client.query('SELECT pg_reload_conf()');
    await client.query('CREATE TABLE IF NOT EXISTS bench_wal_warm (v int)');
    for (let i = 0; i < 64; i++) {
      await client.query('INSERT INTO bench_wal_warm VALUES (1)');
      await client.query('SELECT pg_switch_wal()');
    }
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
  progress('  WAL: 1 GB of segments created and recycled (a server that has been running)');
}

export interface Harness {
  base: string;
  driver: Driver;
  databaseUrl: string;
  /** The postmaster's pid (its children are the backends). */
  postmaster: number;
  /** Settings for engine-process.mjs, memory-handler.mjs and peers. */
  env: Record<string, string>;
  eventGridSecret: string;
  stop(): Promise<void>;
}

/**
 * Postgres, JWKS, tokens, the fake ACS and the driver. `pool` is the engine's database pool;
 * `maxSockets` the driver's keep-alive sockets per target.
 */
export async function startHarness(opts: {
  pool: number;
  maxSockets: number;
  phaseSeconds: number;
  env?: Record<string, string>;
}): Promise<Harness> {
  const undo: (() => unknown)[] = [];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
    const jwksServer = http.createServer((_q, s) => {
      s.writeHead(200, { 'content-type': 'application/json' });
      s.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    undo.push(() => jwksServer.close());
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/keys`;
    // Distinct tokens, signed before the clock starts (signing is the sender's cost, not ours).
    const tokens = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        new SignJWT({ n: i })
          .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
          .setIssuer('bench')
          .setAudience('bench')
          .setIssuedAt()
          .setExpirationTime('2h')
          .sign(privateKey),
      ),
    );
    const driver = new Driver({
      tokens,
      maxSockets: opts.maxSockets,
      phaseSeconds: opts.phaseSeconds,
    });
    undo.push(() => driver.agent.destroy());

    // A process of its own, plain node: a worker thread under tsx's loader hooks now and then
    // never started. (Its arrival times are CLOCK_MONOTONIC, comparable with ours.)
    const acs = fork(join(here, 'fake-acs.mjs'), [], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const acsUrl = await new Promise<string>((resolve, reject) => {
      acs.on('message', (m: { url?: string } | (string | Arrival)[]) => {
        if (Array.isArray(m)) driver.arrived(m);
        else if (m.url) resolve(m.url);
      });
      acs.once('exit', (code) => reject(new Error(`fake ACS exited with ${code}`)));
    });
    undo.push(async () => {
      if (acs.exitCode !== null) return;
      const exited = new Promise((r) => acs.once('exit', r));
      acs.send('close');
      const timer = setTimeout(() => acs.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    });

    const base = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
    undo.push(() => rm(base, { recursive: true, force: true }));
    const { startEmbeddedPostgres } = await import('../dist/src/database/embedded-postgres.js');
    const { createLogger } = await import('../dist/src/logging/logger.js');
    const pgServer = await startEmbeddedPostgres({
      dataDir: join(base, 'pg'),
      logger: createLogger('silent'),
    });
    undo.push(() => pgServer.stop());
    await warmWal(pgServer.url);
    const postmaster = Number(
      readFileSync(join(base, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    const eventGridSecret = `bench-${randomUUID()}`;
    const env = {
      DATABASE_URL: pgServer.url,
      PORT: '0',
      LOG_LEVEL: 'info',
      SWITCHBOARD_ADMIN_PASSWORD: 'bench-password',
      ACS_CONNECTION_STRING: `endpoint=${acsUrl}/;accesskey=${Buffer.from('bench-key').toString('base64')}`,
      ACS_JWKS_URL: jwksUrl,
      ACS_CALLBACK_ISSUER: 'bench',
      ACS_CALLBACK_AUDIENCE: 'bench',
      ACS_EVENTGRID_SECRET: eventGridSecret,
      // The fake ACS checks nothing; set so the engine starts as it would against real ACS.
      ACS_COGNITIVE_SERVICES_ENDPOINT: 'https://bench.cognitiveservices.azure.com/',
      SWITCHBOARD_DB_POOL_SIZE: String(opts.pool),
      // Runs wait at a play or a menu while other targets are measured (a minute or more on a
      // busy machine): the reconciler must not take them for lost and prompt again meanwhile.
      SWITCHBOARD_WAIT_MARGIN_MS: String(3600_000),
      ...opts.env,
    };
    return {
      base,
      driver,
      databaseUrl: pgServer.url,
      postmaster,
      env,
      eventGridSecret,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
