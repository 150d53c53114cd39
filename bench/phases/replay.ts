/**
 * Replay of recorded runs against a changed draft (engine/bench/replay.bench.ts): 5,000 runs
 * (BENCH_REPLAY_RUNS; 2,000 with BENCH_QUICK=1, whose figure is then not judged).
 */
import { replayBench } from '../../engine/bench/replay.bench.js';
import { type PhaseContext, type PhaseOutput, setting } from '../phases.js';

export async function replayPhase(ctx: PhaseContext): Promise<PhaseOutput> {
  const r = await replayBench({
    runs: setting(ctx, 'BENCH_REPLAY_RUNS', 2000, 5000),
    repeat: setting(ctx, 'BENCH_REPLAY_REPEAT', 3, 5),
  });
  return {
    figures: { replay5000Ms: r.draft.medianMs, replayRuns: r.runs },
    details: r,
  };
}
