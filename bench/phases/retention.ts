/**
 * The callback hot path while run retention works (engine/bench/retention.bench.ts): an open
 * loop of callbacks at a fixed rate, first alone, then while the engine's own retention round
 * drops whole past days (partitions) and deletes the ended runs' rows of a day held by a live
 * run. `retentionP99Ms` is the p99 of the callbacks that arrived while a round ran, next to
 * `retentionAloneP99Ms`, the same loop without it (medians over the rounds).
 */
import { retentionBench } from '../../engine/bench/retention.bench.js';
import { type PhaseContext, type PhaseOutput, setting } from '../phases.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]!;
};

export async function retentionPhase(ctx: PhaseContext): Promise<PhaseOutput> {
  const r = await retentionBench({
    rate: setting(ctx, 'BENCH_RETENTION_RATE', 300, 1000),
    seconds: setting(ctx, 'BENCH_RETENTION_SECONDS', 6, 8),
    runsPerDay: setting(ctx, 'BENCH_RETENTION_RUNS_PER_DAY', 5_000, 10_000),
    stepsPerRun: setting(ctx, 'BENCH_RETENTION_STEPS', 6, 6),
    days: setting(ctx, 'BENCH_RETENTION_DAYS', 2, 3),
    rounds: setting(ctx, 'BENCH_RETENTION_ROUNDS', 1, 2),
  });
  return {
    figures: {
      retentionP99Ms: median(r.rounds.map((x) => x.duringRound.p99)),
      retentionAloneP99Ms: median(r.rounds.map((x) => x.alone.p99)),
      retentionRoundMs: median(r.rounds.map((x) => x.roundMs)),
    },
    details: r,
  };
}
