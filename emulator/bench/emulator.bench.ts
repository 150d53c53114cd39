/**
 * Emulator throughput: how many callbacks per second it delivers to a receiver that answers
 * 204 at once, and how many complete calls per second it can drive through a real SDK app.
 * Prints medians; asserts nothing.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { CallbackDispatcher } from '../src/callbacks.js';
import { FaultInjector } from '../src/faults.js';
import { Deliverer } from '../src/http-client.js';
import { startEmulator } from '../src/index.js';
import { createJsonLogger } from '../src/logger.js';
import { Monitor } from '../src/monitor.js';
import { Scheduler } from '../src/scheduler.js';
import { CallbackTokenSigner, loadOrCreateSigningKey } from '../src/signing.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CALLBACKS = Number(process.env.BENCH_CALLBACKS ?? 20_000);
const CONNECTIONS = 200;
const CALLS = Number(process.env.BENCH_CALLS ?? 1000);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function receiver(): Promise<{ worker: Worker; url: string }> {
  const worker = new Worker(new URL('./receiver-worker.mjs', import.meta.url));
  const [msg] = (await once(worker, 'message')) as [{ port: number }];
  return { worker, url: `http://127.0.0.1:${msg.port}/api/acs/callbacks` };
}

async function callbacksPerSecond(tokenReuseMs: number): Promise<number[]> {
  const { worker, url } = await receiver();
  const key = await loadOrCreateSigningKey();
  const results: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const scheduler = new Scheduler(1);
    const deliverer = new Deliverer();
    const dispatcher = new CallbackDispatcher({
      scheduler,
      signer: new CallbackTokenSigner(key, 'http://127.0.0.1', 'bench-audience', tokenReuseMs),
      deliverer,
      faults: new FaultInjector(),
      monitor: new Monitor(),
      logger: createJsonLogger('error'),
      delivery: { retryDelaysMs: [100], timeoutMs: 10_000, ordering: 'perConnection' },
    });
    const timeline = { serverCallId: 'bench', timeline: [] };
    const start = performance.now();
    for (let i = 0; i < CALLBACKS; i++) {
      const conn = `conn-${i % CONNECTIONS}`;
      dispatcher.send(
        url,
        conn,
        'PlayCompleted',
        {
          callConnectionId: conn,
          serverCallId: 'bench',
          correlationId: 'bench',
          operationContext: `op-${i}`,
          resultInformation: { code: 200, subCode: 0, message: 'Action completed successfully.' },
        },
        timeline.timeline.length < 10 ? timeline : undefined,
      );
    }
    while (dispatcher.delivered + dispatcher.failed < CALLBACKS) {
      await new Promise((r) => setTimeout(r, 5));
    }
    // run 0 warms up the JIT, sockets and the signing pool
    if (run > 0) results.push(CALLBACKS / ((performance.now() - start) / 1000));
    if (dispatcher.failed) console.warn(`  ${dispatcher.failed} callbacks failed`);
    scheduler.close();
    deliverer.close();
  }
  worker.postMessage('close');
  return results;
}

async function callsPerSecond(
  tokenReuseMs: number,
): Promise<{ calls: number[]; callbacks: number[] }> {
  const calls: number[] = [];
  const callbacks: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const em = await startEmulator({
      timeScale: 0.001,
      logLevel: 'error',
      callbackTokenReuseMs: tokenReuseMs,
      // The app answers in real time under load: waits at ACS's real-time defaults, not scaled
      // down with the compressed clock (a timeout would re-deliver and skew the count).
      callbackDelivery: { timeoutMs: 5_000 },
      eventGridTimeoutMs: 30_000,
      // Under load the app may take longer than a compressed ring to answer; never abandon.
      callModel: { retainEndedCalls: 200, incomingRingTimeoutMs: 1e9 },
    });
    const app = new Worker(new URL('./app-worker.mjs', import.meta.url), {
      workerData: {
        emulatorUrl: em.url,
        connectionString: em.httpConnectionString,
        cognitiveServicesEndpoint: em.cognitiveServicesEndpoint,
        calls: CALLS,
        concurrency: 100,
      },
    });
    const [ready] = (await once(app, 'message')) as [{ eventsUrl: string }];
    await em.control.addSubscription(ready.eventsUrl);
    while ((await em.control.subscriptions())[0]?.status !== 'validated') {
      await new Promise((r) => setTimeout(r, 10));
    }
    app.postMessage('go');
    const result = await new Promise<{ ms: number; callbacks: number }>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error('calls did not finish in 120 s')), 120_000);
      app.on('message', (m: { done?: boolean; ms: number; callbacks: number; error?: string }) => {
        if (m.done) clearTimeout(guard);
        if (m.done) resolve(m);
        else if (m.error) console.warn('  app:', m.error);
      });
      app.on('error', reject);
    });
    calls.push(CALLS / (result.ms / 1000));
    callbacks.push(result.callbacks / (result.ms / 1000));
    app.postMessage('close');
    await em.close();
  }
  return { calls, callbacks };
}

console.log(`emulator benchmark — ${RUNS} runs each, medians`);
const perEvent = await callbacksPerSecond(0);
console.log(
  `  callbacks/s delivered (new RS256 token per event)        ${fmt(median(perEvent))}  (${CALLBACKS} callbacks over ${CONNECTIONS} connections)`,
);
const reused = await callbacksPerSecond(1000);
console.log(`  callbacks/s delivered (token reused for 1 s, load tests)  ${fmt(median(reused))}`);
for (const [label, reuse] of [
  ['new token per event', 0],
  ['token reused for 1 s', 1000],
] as const) {
  const full = await callsPerSecond(reuse);
  console.log(
    `  calls/s driven end to end, ${label}: ${fmt(median(full.calls))} calls/s, ${fmt(median(full.callbacks))} callbacks/s` +
      `  (${CALLS} calls, 100 concurrent; IncomingCall → answer → play → hang up by a real SDK app)`,
  );
}
