/**
 * The callback phases (engine/bench/runtime.bench.ts): closed loop of the engine, the bare
 * commit loop and the in-memory handler; open loop at 500 and 1,000/s against each and against
 * the bare commit loop; CPU per event; and the DBOS peer (bench/peers/dbos/) driven the same way.
 */
import { fileURLToPath } from 'node:url';
import { runtimeBench } from '../../engine/bench/runtime.bench.js';
import { type PhaseContext, type PhaseOutput, setting } from '../phases.js';

export async function callbacksPhase(ctx: PhaseContext): Promise<PhaseOutput> {
  const r = await runtimeBench({
    events: setting(ctx, 'BENCH_EVENTS', 1500, 3000),
    concurrency: setting(ctx, 'BENCH_CONCURRENCY', 32, 32),
    rounds: setting(ctx, 'BENCH_ROUNDS', 1, 3),
    warmup: setting(ctx, 'BENCH_WARMUP', 1000, 2000),
    profile: ctx.env.BENCH_PROFILE === '1',
    trace: ctx.env.BENCH_TRACE === '1',
    openRates: (ctx.env.BENCH_OPEN_RATES ?? '500,1000').split(',').filter(Boolean).map(Number),
    openSeconds: setting(ctx, 'BENCH_OPEN_SECONDS', 3, 4),
    ...(ctx.env.BENCH_POOL ? { pool: Number(ctx.env.BENCH_POOL) } : {}),
    peers:
      ctx.env.BENCH_DBOS === '0'
        ? []
        : [
            {
              key: 'dbos',
              label: 'DBOS peer',
              file: fileURLToPath(new URL('../peers/dbos/dbos-handler.mjs', import.meta.url)),
              usesPostgres: true,
            },
          ],
  });
  const m = r.medians;
  const cpu = (k: string) => (r.cpu[k] ? r.cpu[k].processMs + r.cpu[k].pgMs : NaN);
  return {
    figures: {
      eventsPerSecond: m.engine!.perSecond,
      commitPerSecond: m.ceiling!.perSecond,
      inMemoryPerSecond: m.memory!.perSecond,
      openCarriedPerSecond: m.open1000?.perSecond ?? NaN,
      p99Ms: m.open1000?.p99 ?? NaN,
      commitP99Ms: m.openCeiling1000?.p99 ?? NaN,
      inMemoryRatio: r.engineOver.memory!,
      commitCeilingRatio: r.engineOver.ceiling!,
      cpuMsPerEvent: cpu('engine'),
      inMemoryCpuMsPerEvent: cpu('memory'),
      ...(m.dbos
        ? {
            dbosPerSecond: m.dbos.perSecond,
            dbosRatio: r.engineOver.dbos!,
            dbosP99Ms: m.openDbos1000?.p99 ?? NaN,
            dbosCarriedPerSecond: m.openDbos1000?.perSecond ?? NaN,
            dbosCpuMsPerEvent: cpu('dbos'),
          }
        : {}),
    },
    details: r,
  };
}
