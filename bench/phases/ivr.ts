/**
 * The example main IVR (flow/examples/main-ivr.json, its hours opened around the clock, bound to
 * +18005550100) through one engine process, driven as ACS would: an IncomingCall on Event Grid
 * (with the subscription's secret), then signed callbacks for the requests the engine makes of
 * the fake ACS — CallConnected after the answer, RecognizeCompleted with "1" after the menu's
 * recognize, CallTransferAccepted after the transfer to Sales.
 *
 * 1. new calls/s: IncomingCall → answer → CallConnected → the menu's recognize at the fake ACS,
 *    32 calls at a time; the calls stay at the menu.
 * 2. the whole path at a constant arrival rate (open loop of new calls): answer → menu → digit →
 *    transfer → accepted (the run ends, transferred); calls completed per second and each step's
 *    latency (callback sent → the engine's next request at the fake ACS; the last: → its 200).
 * 3. calls held in flight: more new calls until BENCH_INFLIGHT wait at the menu, then the
 *    engine's RSS, and the latency of callbacks (a digit, → the transfer) for some of them at a
 *    fixed rate while the rest are held.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { FlowDocument } from '@switchboard/flow';
import {
  child,
  type Driver,
  now,
  openLoop,
  pct,
  progress,
  result,
  rssMb,
  startHarness,
  stopChild,
} from '../../engine/bench/harness.js';
import { type PhaseContext, type PhaseOutput, setting } from '../phases.js';

const NUMBER = '+18005550100';
/** How long a request the engine owes may take (an overloaded machine queues them). */
const WAIT_MS = 60_000;
/** Calls of the whole path in progress at once; more arrivals wait (their wait counts). */
const PATH_SLOTS = 256;

/** The example IVR, open around the clock (its hours check runs on the wall clock). */
export function exampleIvr(): FlowDocument {
  const doc = JSON.parse(
    readFileSync(new URL('../../flow/examples/main-ivr.json', import.meta.url), 'utf8'),
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

/** A call at the menu: what its next callbacks need. */
interface HeldCall {
  callConnectionId: string;
  /** The operationContext of the menu's recognize. */
  context: string;
}

const next = (ctx: string) => {
  const i = ctx.lastIndexOf(':');
  return `${ctx.slice(0, i)}:${Number(ctx.slice(i + 1)) + 1}`;
};

class IvrCaller {
  private seq = 0;
  constructor(
    private readonly driver: Driver,
    private readonly url: string,
    private readonly secret: string,
  ) {}

  /** IncomingCall → answer → CallConnected → recognize; the step latencies (ms). */
  async toMenu(steps: number[]): Promise<HeldCall> {
    const context = `bench-${process.pid}-${++this.seq}-${randomUUID()}`;
    const answered = this.driver.expect(`answer:${context}`, WAIT_MS);
    let t = now();
    await this.driver.postJson(`${this.url}/api/acs/events?secret=${this.secret}`, [
      {
        id: randomUUID(),
        eventType: 'Microsoft.Communication.IncomingCall',
        subject: `/caller/4:+15550100000/recipient/4:${NUMBER}`,
        eventTime: new Date().toISOString(),
        dataVersion: '1.0',
        data: {
          from: {
            kind: 'phoneNumber',
            rawId: '4:+15550100000',
            phoneNumber: { value: '+15550100000' },
          },
          to: { kind: 'phoneNumber', rawId: `4:${NUMBER}`, phoneNumber: { value: NUMBER } },
          callerDisplayName: '',
          incomingCallContext: context,
          correlationId: randomUUID(),
          serverCallId: randomUUID(),
        },
      },
    ]);
    const answer = await answered;
    steps.push(answer.at - t);
    const cc = answer.callConnectionId!;
    const menu = next(answer.operationContext!);
    const prompted = this.driver.expect(menu, WAIT_MS);
    t = now();
    await this.driver.post(`${this.url}/api/acs/callbacks`, 'CallConnected', {
      callConnectionId: cc,
      operationContext: answer.operationContext,
      resultInformation: { code: 200, subCode: 0 },
    });
    steps.push((await prompted).at - t);
    return { callConnectionId: cc, context: menu };
  }

  /** "1" at the menu → the transfer request; returns its arrival time. */
  async pressOne(call: HeldCall): Promise<{ sentAt: number; arrivedAt: number; context: string }> {
    const transfer = next(call.context);
    const transferred = this.driver.expect(transfer, WAIT_MS);
    const sentAt = now();
    await this.driver.post(`${this.url}/api/acs/callbacks`, 'RecognizeCompleted', {
      callConnectionId: call.callConnectionId,
      operationContext: call.context,
      recognitionType: 'dtmf',
      dtmfResult: { tones: ['one'] },
      resultInformation: { code: 200, subCode: 8531 },
    });
    return { sentAt, arrivedAt: (await transferred).at, context: transfer };
  }

  /** The transfer accepted: the run ends (transferred); resolves when the engine answered. */
  async accepted(call: HeldCall, transferContext: string): Promise<void> {
    await this.driver.post(`${this.url}/api/acs/callbacks`, 'CallTransferAccepted', {
      callConnectionId: call.callConnectionId,
      operationContext: transferContext,
      resultInformation: { code: 200, subCode: 7000 },
    });
  }

  /** The whole path of one call; step latencies pushed to `steps`. */
  async wholePath(steps: number[]): Promise<number> {
    const call = await this.toMenu(steps);
    const t = await this.pressOne(call);
    steps.push(t.arrivedAt - t.sentAt);
    const t0 = now();
    await this.accepted(call, t.context);
    const end = now();
    steps.push(end - t0);
    return end;
  }
}

/** `n` calls to the menu, `concurrency` at a time. */
async function toMenu(caller: IvrCaller, n: number, concurrency: number, label: string) {
  const held: HeldCall[] = [];
  const steps: number[] = [];
  let started = 0;
  const t0 = now();
  const tick = setInterval(
    () =>
      progress(
        `  … ${label}: ${held.length}/${n} calls at the menu, ${(held.length / ((now() - t0) / 1000)).toFixed(0)}/s`,
      ),
    2000,
  );
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started < n) {
          started++;
          held.push(await caller.toMenu(steps));
        }
      }),
    );
  } finally {
    clearInterval(tick);
  }
  const secs = (now() - t0) / 1000;
  return { held, perSecond: n / secs, stepP50: pct(steps, 50), stepP99: pct(steps, 99) };
}

export async function ivrPhase(ctx: PhaseContext): Promise<PhaseOutput> {
  const NEW_CALLS = setting(ctx, 'BENCH_NEW_CALLS', 1000, 2000);
  const CONCURRENCY = setting(ctx, 'BENCH_NEW_CALLS_CONCURRENCY', 32, 32);
  const RATE = setting(ctx, 'BENCH_IVR_RATE', 60, 100);
  const SECONDS = setting(ctx, 'BENCH_IVR_SECONDS', 8, 15);
  const INFLIGHT = setting(ctx, 'BENCH_INFLIGHT', 1500, 5000);
  const HELD_RATE = setting(ctx, 'BENCH_INFLIGHT_RATE', 200, 200);
  const HELD_EVENTS = setting(ctx, 'BENCH_INFLIGHT_EVENTS', 400, 1000);

  const h = await startHarness({
    pool: 20,
    maxSockets: 64,
    phaseSeconds: 120,
  });
  let engine;
  try {
    engine = await child('engine-process.mjs', {
      env: h.env,
      flows: [{ flow: exampleIvr(), runs: 0, entryPoint: NUMBER }],
    });
    const pid = engine.proc.pid!;
    const caller = new IvrCaller(h.driver, engine.url, h.eventGridSecret);
    progress('  warm-up: 300 calls through the whole path');
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = w; i < 300; i += 16) await caller.wholePath([]);
      }),
    );
    const idleRssMb = rssMb(pid);

    // 1. New calls/s.
    const fresh = await toMenu(caller, NEW_CALLS, CONCURRENCY, 'new calls');
    progress(
      `  new calls: ${fresh.perSecond.toFixed(0)}/s (step p50 ${fresh.stepP50.toFixed(1)} ms, p99 ${fresh.stepP99.toFixed(1)} ms)`,
    );

    // 2. The whole path at a constant arrival rate.
    progress(`  whole IVR path: ${RATE} new calls/s for ${SECONDS} s`);
    const steps: number[] = [];
    const t0 = now();
    const path = await openLoop(RATE, Math.round(RATE * SECONDS), PATH_SLOTS, () =>
      caller.wholePath(steps),
    );
    const pathSecs = (now() - t0) / 1000;
    const completedPerSecond = path.result.n / pathSecs;
    progress(
      `  whole IVR path: ${completedPerSecond.toFixed(1)} calls/s completed, step p50 ${pct(steps, 50).toFixed(1)} ms p99 ${pct(steps, 99).toFixed(1)} ms, call p99 ${path.result.p99.toFixed(0)} ms`,
    );

    // 3. Calls held in flight.
    const more = await toMenu(
      caller,
      Math.max(0, INFLIGHT - fresh.held.length),
      CONCURRENCY,
      'held calls',
    );
    const held = [...fresh.held, ...more.held];
    await new Promise((r) => setTimeout(r, 2000));
    const heldRssMb = rssMb(pid);
    const mem = await new Promise<Record<string, number>>((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type !== 'rss') return;
        engine!.proc.off('message', on);
        resolve(m as never);
      };
      engine!.proc.on('message', on);
      engine!.proc.send({ type: 'rss' });
    });
    progress(
      `  ${held.length} calls held at the menu: engine RSS ${heldRssMb.toFixed(0)} MB (idle ${idleRssMb.toFixed(0)} MB)`,
    );
    const some = held.slice(0, Math.min(HELD_EVENTS, held.length));
    const heldLoop = await openLoop(HELD_RATE, some.length, some.length, async (_at, slot) => {
      const t = await caller.pressOne(some[slot]!);
      return t.arrivedAt;
    });
    const peakRssMb = Math.max(heldRssMb, rssMb(pid));
    progress(
      `  callbacks at ${HELD_RATE}/s with ${held.length - some.length}+ calls held: p50 ${heldLoop.result.p50.toFixed(1)} ms, p99 ${heldLoop.result.p99.toFixed(1)} ms`,
    );
    return {
      figures: {
        newCallsPerSecond: fresh.perSecond,
        ivrCallsPerSecond: completedPerSecond,
        ivrOfferedPerSecond: RATE,
        ivrStepP50Ms: pct(steps, 50),
        ivrStepP99Ms: pct(steps, 99),
        inflightCalls: held.length,
        inflightRssMb: peakRssMb,
        idleRssMb,
        inflightP50Ms: heldLoop.result.p50,
        inflightP99Ms: heldLoop.result.p99,
      },
      details: {
        retried503: h.driver.retried,
        newCalls: {
          calls: NEW_CALLS,
          concurrency: CONCURRENCY,
          perSecond: fresh.perSecond,
          stepP50Ms: fresh.stepP50,
          stepP99Ms: fresh.stepP99,
        },
        wholePath: {
          offeredCallsPerSecond: RATE,
          seconds: SECONDS,
          calls: path.result.n,
          completedPerSecond,
          steps: steps.length,
          stepP50Ms: pct(steps, 50),
          stepP99Ms: pct(steps, 99),
          callLatency: result(path.latencies, pathSecs),
        },
        inflight: {
          held: held.length,
          idleRssMb,
          heldRssMb,
          peakRssMb,
          engineMemory: mem,
          callbacks: { rate: HELD_RATE, ...heldLoop.result },
        },
      },
    };
  } finally {
    if (engine) await stopChild(engine.proc);
    await h.stop();
  }
}
