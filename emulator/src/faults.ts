import { badRequest } from './errors.js';

/** Fault injection for reliability tests; every rate is a probability in [0, 1]. */
export interface Faults {
  /** Each outbound delivery (callback or Event Grid) is sent twice with this probability. */
  duplicateRate: number;
  /** Each delivery is delayed by a random 0..window ms (emulated), so deliveries can overtake. */
  reorderWindowMs: number;
  /** Each delivery is silently dropped with this probability. */
  dropRate: number;
  /** Fixed extra delay (emulated ms) before every delivery. */
  callbackDelayMs: number;
  /** Each mutating REST action fails with `actionErrorStatus`, before any effect. */
  actionErrorRate: number;
  actionErrorStatus: number;
}

export const noFaults: Faults = {
  duplicateRate: 0,
  reorderWindowMs: 0,
  dropRate: 0,
  callbackDelayMs: 0,
  actionErrorRate: 0,
  actionErrorStatus: 500,
};

export class FaultInjector {
  private faults: Faults = { ...noFaults };

  constructor(private readonly random: () => number = Math.random) {}

  get current(): Faults {
    return { ...this.faults };
  }

  /** Partial update; unspecified fields keep their value. Validates before applying anything. */
  set(update: Partial<Record<keyof Faults, unknown>>): Faults {
    const next = { ...this.faults };
    for (const [key, value] of Object.entries(update)) {
      if (!(key in noFaults)) throw badRequest(`Unknown fault '${key}'.`);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw badRequest(`Fault '${key}' must be a non-negative number.`);
      }
      if (key.endsWith('Rate') && value > 1) throw badRequest(`Fault '${key}' must be ≤ 1.`);
      if (key === 'actionErrorStatus' && (value < 400 || value > 599)) {
        throw badRequest(`'actionErrorStatus' must be a 4xx/5xx status.`);
      }
      next[key as keyof Faults] = value;
    }
    this.faults = next;
    return this.current;
  }

  reset(): Faults {
    this.faults = { ...noFaults };
    return this.current;
  }

  private roll(rate: number): boolean {
    return rate > 0 && (rate >= 1 || this.random() < rate);
  }

  shouldDrop(): boolean {
    return this.roll(this.faults.dropRate);
  }

  copies(): number {
    return this.roll(this.faults.duplicateRate) ? 2 : 1;
  }

  /** Emulated ms to hold a delivery back; `reordering` tells the caller to skip in-order queues. */
  delay(): { ms: number; reordering: boolean } {
    const w = this.faults.reorderWindowMs;
    return {
      ms: this.faults.callbackDelayMs + (w > 0 ? this.random() * w : 0),
      reordering: w > 0,
    };
  }

  actionError(): number | undefined {
    return this.roll(this.faults.actionErrorRate) ? this.faults.actionErrorStatus : undefined;
  }
}
