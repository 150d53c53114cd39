import { Injectable } from '@nestjs/common';
import type { LockedRun } from './runtime.repository.js';

/** Runs whose last committed state this process keeps (the least recently stepped go first). */
const RECENT_RUNS = 10_000;

/**
 * The state of runs as this process last committed them. A callback for one of them is decided
 * on this copy and committed in one optimistic statement (try-step), guarded by the run's step
 * count: the database refuses it if any other step — another replica's — came in between, and
 * the step applier then locks and reads the row as usual. A hint only: no call ever depends on
 * it, and a restart or another replica simply starts without it.
 */
@Injectable()
export class RunCache {
  private readonly runs = new Map<string, LockedRun>();

  get(runId: string): LockedRun | undefined {
    return this.runs.get(runId);
  }

  remember(run: LockedRun): void {
    this.runs.delete(run.id);
    this.runs.set(run.id, run);
    if (this.runs.size > RECENT_RUNS) this.runs.delete(this.runs.keys().next().value!);
  }

  forget(runId: string): void {
    this.runs.delete(runId);
  }
}
