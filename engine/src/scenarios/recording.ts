import type { CallEvent, EndReason, Recording, RunTrigger, TraceEntry } from '@switchboard/flow';

/** A run row as recordings read it (sql/recordings.sql.ts). */
export interface RecordedRunRow {
  id: string;
  flowId: string;
  flowVersionId: string;
  version: number;
  status: string;
  endReason: string | null;
  currentNodeId: string | null;
  startedAt: Date;
  test: boolean;
  fromAddress: string;
  toAddress: string;
  direction: string;
  /** Steps stored. */
  stepCount: number;
  clockOffsetMs: number;
}

/** A step row as recordings read it. */
export interface RecordedStepRow {
  runId: string;
  seq: number;
  event: unknown;
  trace: TraceEntry[];
  receivedAt: Date;
}

/**
 * The interpreter's clock of a step: its trace's first time (what `start`/`step` were given),
 * else when it came in, shifted like the run's clock (a test call's simulated time).
 */
function clockOf(step: RecordedStepRow, clockOffsetMs: number): number {
  const first = step.trace[0];
  return typeof first?.at === 'number' ? first.at : step.receivedAt.getTime() + clockOffsetMs;
}

/**
 * A stored run as the pure replay reads it: seq 0's event is the trigger, every later step's
 * event is the callback as the interpreter saw it, the traces together are its path, and the
 * run record says how it ended. Steps must be this run's, in seq order.
 */
export function recordingOf(run: RecordedRunRow, steps: readonly RecordedStepRow[]): Recording {
  const [first, ...rest] = steps;
  if (!first || first.seq !== 0) throw new Error(`run ${run.id} has no start step`);
  const trace: TraceEntry[] = [];
  for (const s of steps) for (const t of s.trace) trace.push(t);
  const recording: Recording = {
    runId: run.id,
    trigger: first.event as RunTrigger,
    startedAt: clockOf(first, run.clockOffsetMs),
    steps: rest.map((s) => ({ event: s.event as CallEvent, at: clockOf(s, run.clockOffsetMs) })),
    trace,
  };
  if (run.status === 'ended' && run.endReason) {
    recording.end = { nodeId: run.currentNodeId ?? '', reason: run.endReason as EndReason };
  }
  return recording;
}

/** Steps (in run, then seq order, as sql/recordings.sql.ts reads them) by run. */
export function stepsByRun(rows: readonly RecordedStepRow[]): Map<string, RecordedStepRow[]> {
  const out = new Map<string, RecordedStepRow[]>();
  let current: RecordedStepRow[] | undefined;
  let currentId: string | undefined;
  for (const row of rows) {
    if (row.runId !== currentId) {
      currentId = row.runId;
      current = out.get(row.runId);
      if (!current) out.set(row.runId, (current = []));
    }
    current!.push(row);
  }
  return out;
}
