/**
 * Per-step latency on a 20-node and on a 2,000-node published flow, in one engine process: each
 * flow is a chain of play nodes (after the answer) whose last loops back to the first, so every
 * PlayCompleted moves a run one node on and yields one play. Both are driven by an open loop at
 * the same moderate rate (so latency is the step, not queueing), alternating in rounds;
 * `stepRatio2000vs20` is the median of the rounds' p50 ratios.
 */
import type { FlowDocument } from '@switchboard/flow';
import {
  child,
  median,
  node,
  openLoopPlays,
  progress,
  type Result,
  startHarness,
  stopChild,
} from '../../engine/bench/harness.js';
import { type PhaseContext, type PhaseOutput, setting } from '../phases.js';

/** `size` nodes: the trigger, the answer, and a ring of play nodes. */
export function chainFlow(size: number): FlowDocument {
  const plays = size - 2;
  const nodes = [node('start', 'trigger.incomingCall'), node('answer', 'call.answer')];
  const edges = [
    { id: 'e-start', source: 'start', sourceOutcome: 'next', target: 'answer' },
    { id: 'e-answer', source: 'answer', sourceOutcome: 'connected', target: 'p1' },
  ];
  for (let i = 1; i <= plays; i++) {
    nodes.push({
      ...node(`p${i}`, 'media.play', { text: `Step ${i}` }),
      position: { x: i * 10, y: 0 },
    });
    edges.push({
      id: `e-p${i}`,
      source: `p${i}`,
      sourceOutcome: 'completed',
      target: i === plays ? 'p1' : `p${i + 1}`,
    });
  }
  return { schemaVersion: 1, name: `Chain of ${size}`, nodes, edges };
}

export async function flowSizePhase(ctx: PhaseContext): Promise<PhaseOutput> {
  const ROUNDS = setting(ctx, 'BENCH_FLOW_SIZE_ROUNDS', 2, 3);
  const RATE = setting(ctx, 'BENCH_FLOW_SIZE_RATE', 200, 200);
  const SECONDS = setting(ctx, 'BENCH_FLOW_SIZE_SECONDS', 3, 5);
  const RUNS = 32;
  const h = await startHarness({ pool: 20, maxSockets: 64, phaseSeconds: 60 });
  let engine;
  try {
    engine = await child('engine-process.mjs', {
      env: h.env,
      flows: [
        { flow: chainFlow(20), runs: RUNS },
        { flow: chainFlow(2000), runs: RUNS },
      ],
    });
    const [small, large] = (
      engine.ready.runsByFlow as { runId: string; operationContext: string }[][]
    ).map((rs) => rs.map((r) => ({ runId: r.runId, context: r.operationContext })));
    await h.driver.connect(engine.url, [...small!, ...large!]);
    progress('  warm-up: 1,000 steps each');
    await h.driver.drive('warm-up 20 nodes', engine.url, small!, 1000);
    await h.driver.drive('warm-up 2,000 nodes', engine.url, large!, 1000);
    const rounds: { small: Result; large: Result }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const s = (await openLoopPlays(h.driver, engine.url, small!, RATE, SECONDS)).result;
      const l = (await openLoopPlays(h.driver, engine.url, large!, RATE, SECONDS)).result;
      rounds.push({ small: s, large: l });
      progress(
        `  round ${r + 1} at ${RATE}/s: 20 nodes p50 ${s.p50.toFixed(2)} p99 ${s.p99.toFixed(1)} ms | 2,000 nodes p50 ${l.p50.toFixed(2)} p99 ${l.p99.toFixed(1)} ms`,
      );
    }
    const ratio = median(rounds.map((r) => r.large.p50 / r.small.p50));
    return {
      figures: {
        stepRatio2000vs20: ratio,
        step20P50Ms: median(rounds.map((r) => r.small.p50)),
        step2000P50Ms: median(rounds.map((r) => r.large.p50)),
        step20P99Ms: median(rounds.map((r) => r.small.p99)),
        step2000P99Ms: median(rounds.map((r) => r.large.p99)),
      },
      details: {
        rate: RATE,
        seconds: SECONDS,
        runsPerFlow: RUNS,
        rounds,
        retried503: h.driver.retried,
      },
    };
  } finally {
    if (engine) await stopChild(engine.proc);
    await h.stop();
  }
}
