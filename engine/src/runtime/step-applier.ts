import { Injectable } from '@nestjs/common';
import { RunCache } from './run-cache.js';
import {
  type LockedRun,
  type LockedStep,
  RuntimeRepository,
  type StepWrite,
} from './runtime.repository.js';

export type StepRoute = { runId?: string; callConnectionId?: string };

/** What deciding a step produced: what to write, and what the caller wants back. */
export type Decision<T> = { write: StepWrite; value: T } | null;

/**
 * Applies one event to one run exactly once: lock the run → decide → write, in one transaction.
 *
 * The optimistic fast path comes first when this process holds the run's last committed state
 * (RunCache): it decides on that copy and writes with try-step, which applies only if the run is
 * still at that step count and the event is new — one round trip, no lock. When try-step writes
 * nothing (another step came in between, or the event is a duplicate), the locking path runs and
 * `decide` is called a second time, on the locked row. `decide` is pure (the interpreter's step)
 * apart from reading the flow cache, so deciding twice is harmless; only one decision is ever
 * written.
 */
@Injectable()
export class StepApplier {
  constructor(
    private readonly repo: RuntimeRepository,
    private readonly cache: RunCache,
  ) {}

  async apply<T>(
    route: StepRoute,
    eventId: string,
    decide: (run: LockedRun) => Promise<Decision<T>>,
  ): Promise<LockedStep<T>> {
    const cached = route.runId ? this.cache.get(route.runId) : undefined;
    try {
      if (cached && cached.status === 'running') {
        const decided = await decide(cached);
        if (!decided) return { kind: 'unknown' };
        const committedAt = await this.repo.tryStep(cached, decided.write);
        if (committedAt !== undefined) {
          return {
            kind: 'applied',
            run: cached,
            value: decided.value,
            seq: cached.stepCount,
            committedAt,
          };
        }
      }
      return await this.repo.lockedStep(route, eventId, decide);
    } catch (e) {
      if (route.runId) this.cache.forget(route.runId);
      throw e;
    }
  }
}
