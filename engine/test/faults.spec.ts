import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CallDetail, seededRandom } from '@switchboard/emulator';
import type { FlowDocument } from '@switchboard/flow';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type EmbeddedPostgresHandle,
  freePort,
  startEmbeddedPostgres,
} from '../src/database/embedded-postgres.js';
import { createLogger } from '../src/logging/logger.js';
import { bind, EVENT_GRID_SECRET, eventsUrl, publish, waitFor } from './calls.js';
import { apiClient, buildEngine, type ChildEngine, spawnEngine } from './processes.js';
import { startEmulatorProcess, type EmulatorProcess } from './support/emulator-process.js';
import { type CheckedRun, checkCall, type Violation } from './support/fault-checker.js';
import { type RoundRobinProxy, startRoundRobinProxy } from './support/round-robin-proxy.js';

/**
 * The standing fault suite (`npm run test:faults`; a small size runs in `npm test`): many
 * concurrent calls of the example IVR through a standalone emulator process to two engine
 * processes behind a loopback round-robin proxy, one Postgres, while the emulator duplicates
 * every callback 1–3×, reorders and drops callbacks and fails ACS actions with 5xx and 429, one
 * engine at a time is SIGKILLed and restarted, and Postgres is restarted twice (briefly, and for
 * longer than the emulator retries a callback). Then the checker holds every call to what the
 * pure interpreter predicts from the events its run applied. Seeded (FAULTS_SEED), bounded
 * (FAULTS_CALLS, FAULTS_KILLS), loopback only.
 */
const CALLS = Number(process.env.FAULTS_CALLS ?? 40);
const SEED = process.env.FAULTS_SEED
  ? Number(process.env.FAULTS_SEED)
  : (Date.now() % 2 ** 31) >>> 0;
/** Real ms over which the calls arrive (about 12 calls/s, at least 6 s so every fault lands). */
const ARRIVAL_MS = Number(process.env.FAULTS_ARRIVAL_MS ?? Math.max(6_000, CALLS * 80));
const KILLS = Number(process.env.FAULTS_KILLS ?? Math.max(2, Math.round(ARRIVAL_MS / 8_000)));
/** Emulated → real time; the emulator's callback retry window is about 1.5 s real at 0.1. */
const TIME_SCALE = 0.1;
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];
const RETRY_WINDOW_MS = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) * TIME_SCALE;
const CALLER = '+15550100000';
const NUMBER = '+18005550100';
/** What the callers press: sales, support, the operator, an invalid digit, nothing. */
const CHOICES = ['1', '2', '0', '9', undefined] as const;

/** The example IVR, open around the clock (its business hours would send half the day to the
 * closed message, and the hours check runs on the wall clock). */
async function exampleIvr(): Promise<FlowDocument> {
  const doc = JSON.parse(
    await readFile(new URL('../../flow/examples/main-ivr.json', import.meta.url), 'utf8'),
  ) as FlowDocument;
  const hours = doc.nodes.find((n) => n.type === 'logic.businessHours')!;
  const always = [{ from: '00:00', to: '23:59' }];
  hours.config = {
    ...hours.config,
    weekly: Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, always]),
    ),
    holidays: [],
  };
  return doc;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault suite: duplicates, reordering, drops, ACS errors, SIGKILL and Postgres restarts', () => {
  let base: string | undefined;
  let postgres: EmbeddedPostgresHandle | undefined;
  let emulator: EmulatorProcess | undefined;
  let proxy: RoundRobinProxy | undefined;
  const engines: (ChildEngine | undefined)[] = [undefined, undefined];
  let db: pg.Client | undefined;

  afterAll(async () => {
    await db?.end().catch(() => undefined);
    await Promise.all(engines.map((e) => e?.stop(3000)));
    await proxy?.close();
    await emulator?.stop();
    await postgres?.stop().catch(() => undefined);
    if (base) await rm(base, { recursive: true, force: true });
  });

  it(
    `${CALLS} calls of the example IVR: every action the interpreter predicts, exactly once, in order`,
    { timeout: 120_000 + CALLS * 1_500 },
    async () => {
      const began = Date.now();
      const random = seededRandom(SEED);
      console.info(
        `faults: seed ${SEED} (FAULTS_SEED=${SEED} repeats it), ${CALLS} calls over ${ARRIVAL_MS} ms, ` +
          `${KILLS} engine kills`,
      );
      base = await mkdtemp(join(tmpdir(), 'switchboard-faults-'));
      const pgPort = await freePort();
      const startPostgres = () =>
        startEmbeddedPostgres({
          dataDir: join(base!, 'pg'),
          port: pgPort,
          logger: createLogger('silent'),
          ephemeral: true,
        });
      const ports = [await freePort(), await freePort()];
      const accessKey = randomBytes(32).toString('base64');
      const started = await Promise.all([
        startPostgres(),
        startEmulatorProcess([
          '--time-scale',
          String(TIME_SCALE),
          '--seed',
          String(SEED),
          '--access-key',
          accessKey,
          '--callback-retry-delays-ms',
          RETRY_DELAYS_MS.join(','),
          '--callback-timeout-ms',
          '5000',
          '--data-dir',
          join(base, 'emulator'),
          '--log-level',
          'error',
        ]),
        startRoundRobinProxy(ports.map((p) => `http://127.0.0.1:${p}`)),
        buildEngine(),
      ]);
      [postgres, emulator, proxy] = started;
      const em = emulator;
      const info = await em.control.info();
      const env: Record<string, string> = {
        DATABASE_URL: postgres.url,
        ACS_EVENTGRID_SECRET: EVENT_GRID_SECRET,
        ACS_CONNECTION_STRING: `endpoint=${em.url}/;accesskey=${accessKey}`,
        ACS_JWKS_URL: info.jwksUrl,
        ACS_CALLBACK_ISSUER: info.issuer,
        ACS_CALLBACK_AUDIENCE: info.audience,
        ACS_COGNITIVE_SERVICES_ENDPOINT: info.cognitiveServicesEndpoint,
        ACS_CALLBACK_BASE_URL: proxy.url,
        SWITCHBOARD_TIME_SCALE: String(TIME_SCALE),
        // Kills, restarts and a loaded machine take seconds: waits time out on the engine's
        // side only well after the emulator's outcome was due.
        SWITCHBOARD_WAIT_MARGIN_MS: '3000',
        SWITCHBOARD_RECONCILE_INTERVAL_MS: '250',
        SWITCHBOARD_OUTBOX_INTERVAL_MS: '250',
        // An inline send gets 3/4 of this before the dispatcher may take its action over: a loaded
        // machine (kills, restarts, callbacks duplicated 1–3×) takes seconds to read an answer.
        SWITCHBOARD_OUTBOX_GRACE_MS: '3000',
        LOG_LEVEL: 'warn',
      };
      const spawn = async (i: number) => {
        engines[i] = await spawnEngine(`engine-${i}`, ports[i]!, env);
        return engines[i]!;
      };
      // One after the other: the first applies the migrations.
      await spawn(0);
      await spawn(1);
      const api = await apiClient(proxy.url);
      const doc = await exampleIvr();
      const { flowId } = await publish(api, doc);
      await bind(api, NUMBER, flowId);
      await em.control.addSubscription(eventsUrl(proxy.url));
      await waitFor(
        async () => (await em.control.subscriptions())[0]?.status === 'validated',
        'event grid subscription validated',
      );
      db = new pg.Client({ connectionString: postgres.url });
      db.on('error', () => undefined);

      // Callback faults for the whole load; ACS action errors alternate 503 and 429.
      await em.control.setFaults({
        duplicateRate: 1,
        duplicateMaxExtraCopies: 2,
        reorderWindowMs: 3000,
        dropRate: 0.03,
        actionErrorRate: 0.08,
        actionErrorStatus: 503,
      });

      const setupAt = Date.now();
      const chaos = { kills: 0, restarts: 0, postgresBrief: 0, postgresLong: 0 };
      const placed: { serverCallId: string; choice: string | undefined }[] = [];
      const placing = (async () => {
        for (let i = 0; i < CALLS; i++) {
          const choice = CHOICES[Math.floor(random() * CHOICES.length)];
          const p = await em.control.placeCall({
            from: CALLER,
            to: NUMBER,
            ...(choice ? { script: [{ on: 'recognize', dtmf: choice }] } : {}),
          });
          placed.push({ serverCallId: p.serverCallId, choice });
          await sleep(ARRIVAL_MS / CALLS);
        }
      })();
      const killAndRestart = async () => {
        const i = Math.floor(random() * 2);
        engines[i]!.proc.kill('SIGKILL');
        await engines[i]!.exited;
        chaos.kills++;
        await sleep(200 + random() * 800);
        await spawn(i);
        chaos.restarts++;
      };
      const postgresOutage = async (ms: number) => {
        await postgres!.stop();
        await sleep(ms);
        postgres = await startPostgres();
      };
      // The status of the next injected action error after each one (503, 429, 500, …): every
      // kind is injected even in a small run.
      const statusFlip = (async () => {
        let status = 503;
        let injected = 0;
        while (placed.length < CALLS) {
          await sleep(50);
          const errors = (await em.control.stats().catch(() => undefined))?.faults.actionErrors;
          const total = Object.values(errors ?? {}).reduce((a, b) => a + b, 0);
          if (total === injected) continue;
          injected = total;
          status = status === 503 ? 429 : status === 429 ? 500 : 503;
          await em.control.setFaults({ actionErrorStatus: status }).catch(() => undefined);
        }
      })();
      // The chaos timeline: kills at random moments, the two Postgres outages in between.
      const chaosPlan: (() => Promise<void>)[] = [];
      for (let k = 0; k < KILLS; k++) chaosPlan.push(killAndRestart);
      const briefAt = 1 + Math.floor(random() * chaosPlan.length);
      chaosPlan.splice(briefAt, 0, async () => {
        await postgresOutage(300 + random() * 400);
        chaos.postgresBrief++;
      });
      chaosPlan.splice(1 + Math.floor(random() * chaosPlan.length), 0, async () => {
        await postgresOutage(RETRY_WINDOW_MS + 1500 + random() * 1000);
        chaos.postgresLong++;
      });
      const gap = ARRIVAL_MS / (chaosPlan.length + 1);
      for (const act of chaosPlan) {
        await sleep(gap * (0.5 + random()));
        await act();
      }
      await placing;
      await statusFlip;
      // Faults off once the last call has arrived, so the load drains in finite time.
      await em.control.resetFaults();
      const loadedAt = Date.now();

      // Every call ends for the app (the emulator's outcome, or the reconciler's), every run
      // ends; a call that does not is left for the checker to report.
      await db.connect();
      const ended = new Set<string>();
      await waitFor(
        async () => {
          for (const p of placed) {
            if (ended.has(p.serverCallId)) continue;
            // Over for the app: the call ended, or the app's connection did (after a transfer,
            // or support joining, the caller talks on without it).
            const c = await em.control.getCall(p.serverCallId);
            const left =
              c.connections.length > 0 && c.connections.every((x) => x.state === 'disconnected');
            if (!c.endedAt && !left) return false;
            ended.add(p.serverCallId);
          }
          const r = await db!.query(`SELECT count(*)::int AS n FROM "Run" WHERE status <> 'ended'`);
          return (r.rows[0] as { n: number }).n === 0;
        },
        'every call and run ended',
        60_000 + CALLS * 100,
      ).catch(() => undefined);

      const drainedAt = Date.now();
      // The checker.
      const runs = await db.query(`SELECT id, status, "endReason", "callConnectionId" FROM "Run"`);
      const violations: Violation[] = [];
      const steps = await db.query(
        `SELECT "runId", seq, "eventId", event, actions, "receivedAt" FROM "RunStep" ORDER BY "runId", seq`,
      );
      /** Runs by the call they are about: the serverCallId of their IncomingCall. */
      const byCall = new Map<string, CheckedRun>();
      const byId = new Map<string, CheckedRun>();
      for (const r of runs.rows as {
        id: string;
        status: string;
        endReason: string | null;
        callConnectionId: string | null;
      }[]) {
        const run: CheckedRun = { id: r.id, status: r.status, endReason: r.endReason, steps: [] };
        byId.set(r.id, run);
      }
      for (const s of steps.rows as (CheckedRun['steps'][number] & { runId: string })[]) {
        byId.get(s.runId)?.steps.push(s);
        const serverCallId = (s.event as { serverCallId?: string }).serverCallId;
        if (s.seq === 0 && serverCallId) {
          if (byCall.has(serverCallId)) {
            violations.push({ runId: s.runId, serverCallId, problem: 'a second run for a call' });
          }
          byCall.set(serverCallId, byId.get(s.runId)!);
        }
      }
      let events = 0;
      let unanswered = 0;
      const endReasons: Record<string, number> = {};
      const seenRuns = new Set<string>();
      for (const p of placed) {
        const call = (await em.control.getCall(p.serverCallId)) as CallDetail;
        const run = byCall.get(p.serverCallId);
        if (run) {
          seenRuns.add(run.id);
          events += run.steps.length;
          endReasons[run.endReason ?? run.status] =
            (endReasons[run.endReason ?? run.status] ?? 0) + 1;
        } else unanswered++;
        violations.push(...checkCall(doc, call, run));
      }
      for (const run of byId.values()) {
        if (!seenRuns.has(run.id)) {
          violations.push({
            runId: run.id,
            serverCallId: '?',
            problem: 'a run no placed call has',
          });
        }
      }
      const stats = await em.control.stats();
      const summary = {
        seed: SEED,
        calls: placed.length,
        runs: byId.size,
        unanswered,
        events,
        endReasons,
        callbacks: stats.callbacks,
        faults: {
          duplicatedCallbacks: stats.faults.duplicated,
          extraCopies: stats.faults.extraCopies,
          reorderDelayed: stats.faults.delayed,
          dropped: stats.faults.dropped,
          actionErrors: stats.faults.actionErrors,
          engineKills: chaos.kills,
          engineRestarts: chaos.restarts,
          postgresBriefRestarts: chaos.postgresBrief,
          postgresLongRestarts: chaos.postgresLong,
        },
        proxy: { forwarded: proxy.forwarded, noUpstream: proxy.failed },
        violations: violations.length,
        durationMs: Date.now() - began,
        phasesMs: {
          setup: setupAt - began,
          load: loadedAt - setupAt,
          drain: drainedAt - loadedAt,
          check: Date.now() - drainedAt,
        },
      };
      console.info(`faults summary: ${JSON.stringify(summary, null, 2)}`);
      if (violations.length && process.env.FAULTS_DEBUG) {
        // FAULTS_DEBUG=1: each violating call's timeline and run, compactly.
        for (const v of violations.slice(0, 5)) {
          const c = await em.control.getCall(v.serverCallId).catch(() => undefined);
          const run = v.runId ? byId.get(v.runId) : undefined;
          console.error(
            `--- ${v.problem}\n` +
              (c?.timeline ?? [])
                .map((e) =>
                  [
                    e.at.slice(11),
                    e.kind,
                    e.type,
                    e.state,
                    e.method,
                    e.path,
                    e.status,
                    e.repeatabilityId,
                    e.replayed,
                    e.dropped,
                  ]
                    .filter((x) => x !== undefined)
                    .join(' '),
                )
                .join('\n') +
              '\n' +
              (run?.steps ?? [])
                .map(
                  (st) =>
                    `${st.seq} ${st.eventId} ${JSON.stringify((st.event as { resultInformation?: unknown }).resultInformation ?? '')} -> ${st.actions.map((x) => x.kind).join(',')}`,
                )
                .join('\n'),
          );
        }
        for (const e of engines) {
          console.error(
            e?.logs
              .filter((l) => !l.includes('ENOENT') && !l.includes('ECONNREFUSED'))
              .slice(-15)
              .join('\n'),
          );
        }
      }
      for (const v of violations.slice(0, 50)) {
        console.error(`violation: run ${v.runId} call ${v.serverCallId}: ${v.problem}`);
      }
      expect(violations, `seed ${SEED}: ${violations.length} violations`).toEqual([]);
      expect(chaos.kills).toBe(KILLS);
      expect(chaos.postgresBrief + chaos.postgresLong).toBe(2);
      // Every kind of fault was injected.
      expect(stats.faults.duplicated).toBeGreaterThan(0);
      expect(stats.faults.delayed).toBeGreaterThan(0);
      expect(stats.faults.dropped).toBeGreaterThan(0);
      expect(stats.faults.actionErrors['429']).toBeGreaterThan(0);
      expect(
        (stats.faults.actionErrors['503'] ?? 0) + (stats.faults.actionErrors['500'] ?? 0),
      ).toBeGreaterThan(0);
    },
  );
});
