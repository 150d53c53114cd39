import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Emulator, startEmulator, type TimelineEntry } from '@switchboard/emulator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/database/embedded-postgres.js';
import {
  acsRequests,
  bind,
  emulatorEnv,
  eventsUrl,
  ownedNumber,
  ivrFlow,
  publish,
  runFor,
  TIME_SCALE,
  waitFor,
} from './calls.js';
import { useTestDatabase } from './database.js';
import { apiClient, buildEngine, type ChildEngine, spawnEngine } from './processes.js';

const CALLER = '+15551234567';

/** Paths the emulator receives for each menu choice (see ivrFlow), and how the run ends. */
const EXPECTED: Record<string, { paths: string[]; endReason: string }> = {
  '1': {
    paths: [':answer', '{id}:recognize', '{id}:transferToParticipant'],
    endReason: 'transferred',
  },
  '2': {
    paths: [':answer', '{id}:recognize', '{id}/participants:add', '{id}:play', '{id}'],
    endReason: 'completed',
  },
  '3': {
    paths: [':answer', '{id}:recognize', '{id}:play', '{id}:terminate'],
    endReason: 'completed',
  },
};

/**
 * Mutating ACS requests of calls, by action: its Repeatability-Request-ID, or — for media
 * operations, which ACS offers no repeatability for — path and operation context. `effects`
 * counts requests ACS acted on (not replays, not refusals), `replays` the repeatability replays.
 */
function effectsByAction(timelines: TimelineEntry[][]) {
  const byId = new Map<string, { effects: number; replays: number }>();
  for (const entry of timelines.flat()) {
    if (entry.kind !== 'request' || entry.method === 'GET') continue;
    const context = (entry.body as { operationContext?: string } | undefined)?.operationContext;
    const id = (entry.repeatabilityId as string | undefined) ?? `${String(entry.path)} ${context}`;
    const n = byId.get(id) ?? { effects: 0, replays: 0 };
    if (entry.replayed) n.replays++;
    else if ((entry.status as number) < 300) n.effects++;
    byId.set(id, n);
  }
  return byId;
}

describe('engine processes: a crash between commit and send, two replicas on one database', () => {
  const databaseUrl = useTestDatabase();
  let emulator: Emulator | undefined;
  const children: ChildEngine[] = [];
  let db: pg.Client;

  beforeAll(async () => {
    const started = await Promise.all([
      buildEngine(),
      startEmulator({
        timeScale: TIME_SCALE,
        logLevel: 'error',
        // 18 calls at once on a busy machine: no call may give up ringing before it is answered.
        callModel: { incomingRingTimeoutMs: 3_000_000 },
        // Keep retrying callbacks for ~10 s real, across an engine restart.
        callbackDelivery: { retryDelaysMs: Array<number>(40).fill(25_000), timeoutMs: 5000 },
      }),
    ]);
    emulator = started[1];
    db = new pg.Client({ connectionString: databaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop(3000)));
    await db?.end();
    await emulator?.close();
  });

  const env = (more: Record<string, string> = {}) => ({
    ...emulatorEnv(emulator!),
    // Restarts and a loaded machine take seconds: no wait may time out on the engine's side
    // meanwhile (every outcome here comes from the emulator).
    SWITCHBOARD_WAIT_MARGIN_MS: '20000',
    DATABASE_URL: databaseUrl(),
    ...more,
  });
  async function spawn(
    name: string,
    port: number,
    more: Record<string, string> = {},
    preload: string[] = [],
  ) {
    const c = await spawnEngine(name, port, env(more), preload);
    children.push(c);
    return c;
  }
  async function subscribe(...urls: string[]) {
    const em = emulator!;
    for (const s of await em.control.subscriptions()) {
      await fetch(`${em.url}/emulator/subscriptions?url=${encodeURIComponent(s.url)}`, {
        method: 'DELETE',
      });
    }
    for (const url of urls) await em.control.addSubscription(eventsUrl(url));
    await waitFor(async () => {
      const subs = await em.control.subscriptions();
      return subs.length === urls.length && subs.every((s) => s.status === 'validated');
    }, 'event grid subscriptions validated');
  }
  const timelineOf = async (serverCallId: string) =>
    (await emulator!.control.getCall(serverCallId)).timeline;
  const dump = (c: ChildEngine) => `--- ${c.name} ---\n${c.logs.slice(-40).join('\n')}`;

  it('an engine killed between commit and send: after a restart the dispatcher sends the action, once', async () => {
    const port = await freePort();
    // Dies right after committing its 2nd step with actions: CallConnected → recognize (unsent).
    const doomed = await spawn('doomed', port, { FAULT_EXIT_AFTER_COMMIT: '2' }, [
      pathToFileURL(fileURLToPath(new URL('./support/exit-after-commit.mjs', import.meta.url)))
        .href,
    ]);
    const api = await apiClient(doomed.url);
    const number = await ownedNumber(emulator!);
    const { flowId } = await publish(api, ivrFlow());
    await bind(api, number, flowId);
    await subscribe(doomed.url);
    const placed = await emulator!.control.placeCall({
      from: CALLER,
      to: number,
      script: [{ on: 'recognize', dtmf: '1' }],
    });
    const code = await Promise.race([
      doomed.exited,
      new Promise((r) => setTimeout(() => r('still running'), 20_000)),
    ]);
    expect(code, dump(doomed)).toBe(86);
    const crash = doomed.logs.find((l) => l.includes('fault injection'));
    expect(crash).toBeDefined();
    const { runId, seq } = JSON.parse(crash!) as { runId: string; seq: number };
    // Unsent: that step's recognize, and perhaps the answer (sent, but the crash came before
    // its batched "sent" mark was written: a partial send).
    const pending = await db.query(
      `SELECT id, action->>'kind' AS kind FROM "OutboxAction" WHERE "runId" = $1
       ORDER BY "stepSeq", ord`,
      [runId],
    );
    const pendingKinds = pending.rows.map((r: { kind: string }) => r.kind);
    expect(['recognizeDtmf', 'answerCall,recognizeDtmf']).toContain(pendingKinds.join());
    const recognizeId = (pending.rows.at(-1) as { id: string }).id;
    // Nothing of that step reached ACS: only the answer so far.
    expect((await acsRequests(emulator!, placed.serverCallId)).map((r) => r.path)).toEqual([
      ':answer',
    ]);

    // Same port, no fault: the emulator's callback retries and the outbox carry the call on.
    const restarted = await spawn('restarted', port);
    const run = await runFor(await apiClient(restarted.url), number);
    expect(run.id).toBe(runId);
    expect(run.endReason, dump(restarted)).toBe('transferred');
    const paths = (await acsRequests(emulator!, placed.serverCallId)).map((r) => r.path);
    expect(paths).toEqual(EXPECTED['1']!.paths);
    expect(run.steps[seq].actions.map((a: { id?: string }) => a.id)).toContain(recognizeId);
    expect(
      restarted.logs.some((l) => l.includes('outbox: resending action') && l.includes(recognizeId)),
    ).toBe(true);
    expect(
      await restarted.metric('switchboard_actions_sent_total', {
        kind: 'recognizeDtmf',
        path: 'outbox',
      }),
    ).toBe(1);
    // Every event applied once, however often the emulator delivered it.
    const eventIds = run.steps.map((s: { eventId: string }) => s.eventId);
    expect(new Set(eventIds).size).toBe(eventIds.length);

    // A crash after sending but before marking sent, for actions ACS has answered since (the
    // run applied their callbacks): the dispatcher marks them sent and sends nothing again —
    // a resend long after the run moved on could repeat it (media operations have no
    // Repeatability-Request-ID in ACS).
    const before = (await timelineOf(placed.serverCallId)).length;
    // (Their outbox rows, back as they were when committed: a sent action's row is deleted.)
    const unmarked = await db.query(
      `INSERT INTO "OutboxAction" (id, "runId", "stepSeq", ord, "operationContext", action, "createdAt")
       SELECT a->>'id', s."runId", s.seq, (o - 1)::int, a->>'operationContext', a, s."committedAt"
       FROM "RunStep" s, jsonb_array_elements(s.actions) WITH ORDINALITY AS t(a, o)
       WHERE s."runId" = $1 AND a->>'kind' IN ('answerCall', 'recognizeDtmf', 'transferCall')
       RETURNING id`,
      [runId],
    );
    expect(unmarked.rowCount).toBe(3);
    await waitFor(async () => {
      const r = await db.query(`SELECT count(*)::int AS n FROM "OutboxAction" WHERE "runId" = $1`, [
        runId,
      ]);
      return (r.rows[0] as { n: number }).n === 0;
    }, 'acknowledged actions marked sent');
    expect(
      restarted.logs.filter((l) => l.includes('outbox: already acknowledged')).length,
    ).toBeGreaterThanOrEqual(3);
    const timeline = await timelineOf(placed.serverCallId);
    expect(timeline.slice(before).filter((e) => e.kind === 'request')).toEqual([]);
    const effects = effectsByAction([timeline]);
    expect(effects.size).toBe(3);
    for (const [id, n] of effects) expect(n.effects, id).toBe(1);
    // No new step: the resends changed nothing.
    const after = await (await apiClient(restarted.url)).json('GET', `/api/runs/${runId}`);
    expect(after.body.steps.length).toBe(run.steps.length);
    await restarted.stop();
  });

  it('two engine processes on one database share the calls, and no action has an effect twice', async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    // Each engine names the other as its callback URL: every run started on one is carried on
    // by callbacks to the other, with nothing but the database in common.
    const a = await spawn('A', pa, {
      ACS_CALLBACK_BASE_URL: `http://127.0.0.1:${pb}`,
      SWITCHBOARD_OUTBOX_GRACE_MS: '3000',
    });
    const b = await spawn('B', pb, {
      ACS_CALLBACK_BASE_URL: `http://127.0.0.1:${pa}`,
      SWITCHBOARD_OUTBOX_GRACE_MS: '3000',
    });
    const api = await apiClient(a.url);
    const { flowId } = await publish(api, ivrFlow());
    // Event Grid delivers every IncomingCall to both; one engine starts the run, the other
    // finds its event id taken.
    await subscribe(a.url, b.url);
    const calls = await Promise.all(
      Array.from({ length: 18 }, async (_, i) => {
        const dtmf = String((i % 3) + 1);
        const number = await ownedNumber(emulator!);
        await bind(api, number, flowId);
        const placed = await emulator!.control.placeCall({
          from: CALLER,
          to: number,
          script: [{ on: 'recognize', dtmf }],
        });
        return { number, dtmf, serverCallId: placed.serverCallId };
      }),
    );
    const apiB = await apiClient(b.url);
    const timelines: TimelineEntry[][] = [];
    /** Which engine answered each call (it named the other one's callback URL). */
    const answerers: string[] = [];
    for (const [i, c] of calls.entries()) {
      const run = await runFor(i % 2 ? api : apiB, c.number);
      expect(run.endReason, `${c.number} pressed ${c.dtmf}: ${JSON.stringify(run.steps)}`).toBe(
        EXPECTED[c.dtmf]!.endReason,
      );
      const paths = (await acsRequests(emulator!, c.serverCallId)).map((r) => r.path);
      expect(paths, `${c.number} pressed ${c.dtmf}`).toEqual(EXPECTED[c.dtmf]!.paths);
      const timeline = await timelineOf(c.serverCallId);
      timelines.push(timeline);
      // The answer named one engine's callback URL; the callbacks went there and were applied.
      const answer = timeline.find(
        (e) => e.kind === 'request' && e.path === '/calling/callConnections:answer',
      );
      const callbackUri = (answer?.body as { callbackUri?: string } | undefined)?.callbackUri ?? '';
      expect([a.url, b.url].some((u) => callbackUri.startsWith(u))).toBe(true);
      answerers.push(callbackUri.startsWith(b.url) ? 'A' : 'B');
    }
    // No ACS request had its effect twice (resends, if any, were repeatability replays).
    const effects = effectsByAction(timelines);
    const expectedActions = calls.reduce((n, c) => n + EXPECTED[c.dtmf]!.paths.length, 0);
    expect(effects.size).toBe(expectedActions);
    for (const [id, n] of effects) expect(n.effects, id).toBe(1);

    // Both processes did the work: whichever won an IncomingCall answered it, and the other
    // (named in the callback URL) applied every callback that followed and sent the rest.
    const sent = (c: ChildEngine, labels: Record<string, string>) =>
      c.metric('switchboard_actions_sent_total', labels);
    const [answersA, answersB, sentA, sentB, resentA, resentB] = await Promise.all([
      sent(a, { kind: 'answerCall', path: 'inline' }),
      sent(b, { kind: 'answerCall', path: 'inline' }),
      sent(a, { path: 'inline' }),
      sent(b, { path: 'inline' }),
      sent(a, { path: 'outbox' }),
      sent(b, { path: 'outbox' }),
    ]);
    expect(answersA + answersB).toBe(calls.length);
    expect(sentA, dump(a)).toBeGreaterThan(0);
    expect(sentB, dump(b)).toBeGreaterThan(0);
    // Each engine sent the later actions of exactly the calls the other one answered.
    const laterActions = (answeredBy: string) =>
      calls
        .filter((_, i) => answeredBy === answerers[i])
        .reduce((n, c) => n + EXPECTED[c.dtmf]!.paths.length - 1, 0);
    expect(answerers.filter((x) => x === 'A').length).toBe(answersA);
    expect(sentA - answersA).toBe(laterActions('B'));
    expect(sentB - answersB).toBe(laterActions('A'));
    // Each action was sent once right after its commit (a dispatcher's resend of a slow one,
    // if any, was a repeatability replay: see above).
    expect(sentA + sentB).toBe(expectedActions);
    const dup = await db.query(
      'SELECT "eventId", count(*) FROM "RunStep" GROUP BY "eventId" HAVING count(*) > 1',
    );
    expect(dup.rows).toEqual([]);
    console.info(
      `two engines: A answered ${answersA}, sent ${sentA} (+${resentA} by its dispatcher); ` +
        `B answered ${answersB}, sent ${sentB} (+${resentB})`,
    );
  });
});
