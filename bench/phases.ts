/**
 * The phase registry of `npm run bench`: each phase is a function returning its figures (the
 * keys of report.ts's FIGURES it measures) and details. The orchestrator (run.ts) runs each in a
 * child process of its own (phase.ts), so that one phase's servers, memory and exit never touch
 * the next. A new phase (the run-retention job's, for one) is one more entry here plus its rows
 * in report.ts.
 */
import type { Figures } from './report.js';

export interface PhaseContext {
  /** BENCH_QUICK=1: a smoke run of a few minutes (smaller counts, fewer rounds). */
  quick: boolean;
  env: NodeJS.ProcessEnv;
}

export interface PhaseOutput {
  figures: Figures;
  details: unknown;
}

export interface Phase {
  name: string;
  title: string;
  /** Upper bound on its run time (seconds), quick and full; the orchestrator kills it past that. */
  timeoutSeconds: { quick: number; full: number };
  run(ctx: PhaseContext): Promise<PhaseOutput>;
}

/** Numeric setting from the environment, with a default for quick and for full runs. */
export const setting = (ctx: PhaseContext, name: string, quick: number, full: number) =>
  ctx.env[name] !== undefined && ctx.env[name] !== ''
    ? Number(ctx.env[name])
    : ctx.quick
      ? quick
      : full;

export const PHASES: Phase[] = [
  {
    name: 'callbacks',
    title: 'callbacks: engine vs bare commit loop vs in-memory handler vs DBOS peer',
    timeoutSeconds: { quick: 300, full: 900 },
    run: async (ctx) => (await import('./phases/callbacks.js')).callbacksPhase(ctx),
  },
  {
    name: 'ivr',
    title: 'example IVR: new calls/s, the whole path at a constant rate, calls held in flight',
    timeoutSeconds: { quick: 300, full: 600 },
    run: async (ctx) => (await import('./phases/ivr.js')).ivrPhase(ctx),
  },
  {
    name: 'flowSize',
    title: 'per-step latency, 20-node vs 2,000-node published flow',
    timeoutSeconds: { quick: 180, full: 300 },
    run: async (ctx) => (await import('./phases/flow-size.js')).flowSizePhase(ctx),
  },
  {
    name: 'twoEngines',
    title: 'one vs two engine processes on one Postgres',
    timeoutSeconds: { quick: 180, full: 300 },
    run: async (ctx) => (await import('./phases/two-engines.js')).twoEnginesPhase(ctx),
  },
  {
    name: 'analytics',
    title: 'path analytics over generated step records',
    timeoutSeconds: { quick: 300, full: 600 },
    run: async (ctx) => (await import('./phases/analytics.js')).analyticsPhase(ctx),
  },
  {
    name: 'retention',
    title: 'callbacks while run retention drops and deletes a backlog past the window',
    timeoutSeconds: { quick: 240, full: 420 },
    run: async (ctx) => (await import('./phases/retention.js')).retentionPhase(ctx),
  },
  {
    name: 'replay',
    title: 'replay of 5,000 recorded runs against a changed draft',
    timeoutSeconds: { quick: 240, full: 420 },
    run: async (ctx) => (await import('./phases/replay.js')).replayPhase(ctx),
  },
];
