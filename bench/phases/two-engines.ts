/**
 * One vs two engine processes on one Postgres: the runtime benchmark's play loop, closed loop,
 * its events sent to one engine, then round-robin to two (each event to the other engine than
 * the last, as a load balancer without affinity would, so neither holds a run in its cache);
 * alternating in rounds. `twoEnginesRatio` = two-engine ÷ one-engine throughput (median of the
 * rounds' ratios). On a 2-core machine both engines, Postgres and the driver share the cores.
 */
import {
  cpuSeconds,
  median,
  progress,
  startHarness,
  child,
  stopChild,
  type Child,
  type Result,
} from '../../engine/bench/harness.js';
import { loopFlow } from '../../engine/bench/runtime.bench.js';
import { type PhaseContext, type PhaseOutput, setting } from '../phases.js';

export async function twoEnginesPhase(ctx: PhaseContext): Promise<PhaseOutput> {
  const ROUNDS = setting(ctx, 'BENCH_TWO_ENGINES_ROUNDS', 2, 3);
  const EVENTS = setting(ctx, 'BENCH_TWO_ENGINES_EVENTS', 1500, 3000);
  const CONCURRENCY = 32;
  const h = await startHarness({ pool: 20, maxSockets: 2 * CONCURRENCY, phaseSeconds: 60 });
  const engines: Child[] = [];
  try {
    engines.push(
      await child('engine-process.mjs', { env: h.env, flow: loopFlow, runs: CONCURRENCY }),
    );
    engines.push(await child('engine-process.mjs', { env: h.env, flow: loopFlow, runs: 0 }));
    const [a, b] = engines as [Child, Child];
    await h.driver.connect(a.url, a.runs);
    progress('  warm-up: 1,000 events through each');
    await h.driver.drive('warm-up one', a.url, a.runs, 1000);
    await h.driver.drive('warm-up two', [a.url, b.url], a.runs, 1000);
    const rounds: { one: Result; two: Result; cpuMsOne: number; cpuMsTwo: number }[] = [];
    const cpu = () =>
      cpuSeconds(a.proc.pid!) + cpuSeconds(b.proc.pid!) + cpuSeconds(h.postmaster, true);
    for (let r = 0; r < ROUNDS; r++) {
      let c0 = cpu();
      const one = await h.driver.drive(`round ${r + 1} one engine`, a.url, a.runs, EVENTS);
      const cpuMsOne = ((cpu() - c0) * 1000) / one.n;
      c0 = cpu();
      const two = await h.driver.drive(
        `round ${r + 1} two engines`,
        [a.url, b.url],
        a.runs,
        EVENTS,
      );
      const cpuMsTwo = ((cpu() - c0) * 1000) / two.n;
      rounds.push({ one, two, cpuMsOne, cpuMsTwo });
      progress(
        `  round ${r + 1}: one engine ${one.perSecond.toFixed(0)}/s (p99 ${one.p99.toFixed(1)} ms), two ${two.perSecond.toFixed(0)}/s (p99 ${two.p99.toFixed(1)} ms)`,
      );
    }
    return {
      figures: {
        twoEnginesRatio: median(rounds.map((r) => r.two.perSecond / r.one.perSecond)),
        oneEnginePerSecond: median(rounds.map((r) => r.one.perSecond)),
        twoEnginesPerSecond: median(rounds.map((r) => r.two.perSecond)),
      },
      details: { events: EVENTS, concurrency: CONCURRENCY, rounds, retried503: h.driver.retried },
    };
  } finally {
    for (const e of engines) await stopChild(e.proc);
    await h.stop();
  }
}
