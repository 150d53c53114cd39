/**
 * Path analytics (engine/bench/analytics.bench.ts) over generated step records: 1,000,000 by
 * default, 150,000 with BENCH_QUICK=1 (BENCH_ANALYTICS_STEPS). `analyticsMs` is the median of
 * the requests over the last 7 days (every record; the hours already rolled up, as every
 * request after the first finds them); `analyticsColdMs` the first request, nothing rolled up.
 */
import { analyticsBench } from '../../engine/bench/analytics.bench.js';
import { type PhaseContext, type PhaseOutput, setting } from '../phases.js';

export async function analyticsPhase(ctx: PhaseContext): Promise<PhaseOutput> {
  const r = await analyticsBench({
    steps: setting(ctx, 'BENCH_ANALYTICS_STEPS', 150_000, 1_000_000),
    repeat: setting(ctx, 'BENCH_ANALYTICS_REPEAT', 10, 20),
    writeRuns: setting(ctx, 'BENCH_ANALYTICS_WRITE_RUNS', 200, 500),
  });
  if (!r.countsEqual || !r.pathColumnsEqual)
    throw new Error('analytics: the counts or the path columns differ from what was generated');
  return {
    figures: { analyticsMs: r.sevenDaysMs, analyticsColdMs: r.coldMs, analyticsSteps: r.steps },
    details: r,
  };
}
